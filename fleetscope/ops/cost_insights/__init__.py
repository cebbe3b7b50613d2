"""`fleetscope serve --api`: the marts, read-only, in the shapes of Backstage Cost Insights.

`intervals` parses the plugin's ISO 8601 repeating intervals, `costs` turns mart rows into the
plugin's `Cost`, `Entity`, `Group` and alert shapes, `server` answers HTTP (GET only, a bearer
token, one CORS origin). docs/backstage.md describes the endpoints and every choice.
"""
