"""Operating fleetscope: the run lock, scheduled-run orchestration and the analysts' lab.

Modules here import only the standard library at the top; each step imports its heavy
libraries when it runs, so `fleetscope --help` stays instant.
"""
