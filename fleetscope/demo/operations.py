"""The platform's own operational objects in each snapshot: Velero schedules and backups
(`velero.io/v1`, as Velero serves them) and the smoke-test CronJob with its Jobs (`batch/v1`,
with the status a Kubernetes 1.31 API server writes). What goes wrong when is in `plan_ga`.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from fleetscope.demo.model import Simulation
from fleetscope.demo.objects import Clock, _meta, _owner, hash_text
from fleetscope.demo.plan_ga import (
    FAILING_CLUSTER,
    FAILING_SCHEDULE,
    SMOKE_EVERY_HOURS,
    UNCOVERED_CLUSTER,
    VELERO_CLUSTERS,
    GaPlan,
)

VELERO_NS = "velero"
BACKUP_HOUR = 1.0  # every schedule runs at 01:00 UTC ("0 1 * * *")
TTL_HOURS = 168  # backups expire (and leave the List) after a week
SMOKE_NS, SMOKE_NAME = "monitoring", "smoke-deploy"
SMOKE_LABEL = "fleetscope.io/smoke-test"  # the default `[ga] smoke_test_label`
SMOKE_DEADLINE_SECONDS = 1800  # spec.activeDeadlineSeconds: a slow run fails here
SMOKE_HISTORY = 6  # successful/failedJobsHistoryLimit: a day of runs stays in the List
_LONG_AGO = -24.0 * 400  # when the schedules and the CronJob were created


def _uid(text: str) -> str:
    return str(uuid.UUID(int=hash_text(text)))


def _spread(text: str, low: int, high: int) -> int:
    """A stable number in [low, high) for the object named `text`."""
    return low + hash_text(text) % (high - low)


def velero_schedules(sim: Simulation, cluster: str) -> dict[str, dict[str, Any]]:
    """Schedule name -> its backup template (`includedNamespaces`, `excludedNamespaces`)."""
    if cluster not in VELERO_CLUSTERS:
        return {}
    names = [name for name, _ in sim.namespaces[cluster]]
    every: dict[str, Any] = {"includedNamespaces": ["*"], "excludedNamespaces": []}
    if cluster == UNCOVERED_CLUSTER:  # logging and the last team namespace are left out
        teams = [n for n in names if n not in ("kube-system", "monitoring", "logging")]
        every["excludedNamespaces"] = ["logging", teams[-1]]
    schedules = {"daily-cluster": every}
    if cluster == FAILING_CLUSTER:
        data = (
            sorted({u.app.namespace for u in sim.units[cluster] if u.app.kind == "StatefulSet"})
            or names[:1]
        )
        schedules[FAILING_SCHEDULE] = {"includedNamespaces": data, "excludedNamespaces": []}
    return schedules


class OperationsWriter:
    """The Velero and smoke-test objects of one cluster's snapshot at an hour."""

    def __init__(self, sim: Simulation, cluster: str, clock: Clock, plan: GaPlan) -> None:
        self.cluster, self.clock, self.plan = cluster, clock, plan
        self.schedules = velero_schedules(sim, cluster)

    def items(self, at: float) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for name, template in self.schedules.items():
            backups = self._backups(name, template, at)
            items.append(self._schedule(name, template, backups))
            items.extend(backups)
        return items + self._smoke(at)

    def _template(self, template: dict[str, Any]) -> dict[str, Any]:
        return {
            **template,
            "ttl": f"{TTL_HOURS}h0m0s",
            "storageLocation": "default",
            "snapshotVolumes": True,
        }

    def _schedule(
        self, name: str, template: dict[str, Any], backups: list[dict[str, Any]]
    ) -> dict[str, Any]:
        status: dict[str, Any] = {"phase": "Enabled"}
        if backups:
            status["lastBackup"] = backups[-1]["metadata"]["creationTimestamp"]
        return {
            "apiVersion": "velero.io/v1",
            "kind": "Schedule",
            "metadata": _meta(
                name, VELERO_NS, _uid(f"{self.cluster}/schedule/{name}"), self.clock.iso(_LONG_AGO)
            ),
            "spec": {
                "schedule": f"0 {BACKUP_HOUR:.0f} * * *",
                "template": self._template(template),
                "useOwnerReferencesInBackup": False,
            },
            "status": status,
        }

    def _backups(self, schedule: str, template: dict[str, Any], at: float) -> list[dict[str, Any]]:
        """The schedule's backups the List holds at `at`: created by then, not yet expired."""
        today = math.floor((at - BACKUP_HOUR) / 24)
        days = [
            d
            for d in range(today - TTL_HOURS // 24, today + 1)
            if 24.0 * d + BACKUP_HOUR + TTL_HOURS > at
        ]
        return [self._backup(schedule, template, day, at) for day in days]

    def _backup(
        self, schedule: str, template: dict[str, Any], day: int, at: float
    ) -> dict[str, Any]:
        created = 24.0 * day + BACKUP_HOUR
        name = f"{schedule}-{self.clock.at(created):%Y%m%d%H%M%S}"
        took = _spread(f"{self.cluster}/{name}", 180, 780) / 3600
        items = _spread(f"{self.cluster}/{name}/items", 2000, 2400)
        phase = self.plan.backup_phase(self.cluster, schedule, day)
        status: dict[str, Any] = {
            "version": 1,
            "formatVersion": "1.1.0",
            "expiration": self.clock.iso(created + TTL_HOURS),
            "startTimestamp": self.clock.iso(created + 1 / 3600),
        }
        if created + took > at:
            status["phase"] = "InProgress"
        else:
            status.update(
                phase=phase,
                completionTimestamp=self.clock.iso(created + took),
                progress={"totalItems": items, "itemsBackedUp": items},
            )
            if phase == "PartiallyFailed":  # Velero omits zero errors and warnings
                status.update(errors=3, warnings=1)
            elif phase == "Failed":
                status["failureReason"] = (
                    "error getting backup store: rpc error: code = "
                    "Unavailable desc = connection error"
                )
        return {
            "apiVersion": "velero.io/v1",
            "kind": "Backup",
            "metadata": _meta(
                name,
                VELERO_NS,
                _uid(f"{self.cluster}/backup/{name}"),
                self.clock.iso(created),
                {"velero.io/schedule-name": schedule, "velero.io/storage-location": "default"},
            ),
            "spec": self._template(template),
            "status": status,
        }

    def _smoke(self, at: float) -> list[dict[str, Any]]:
        """The CronJob and the Jobs its history limits keep (the last 6 of each outcome)."""
        uid = _uid(f"{self.cluster}/cronjob/{SMOKE_NAME}")
        labels = {"app.kubernetes.io/name": SMOKE_NAME, "team": "platform", SMOKE_LABEL: "true"}
        runs = [
            _SmokeRun(self, day, run)
            for day in range(math.floor(at / 24) - 2, math.floor(at / 24) + 1)
            for run in range(24 // SMOKE_EVERY_HOURS)
        ]
        runs = [r for r in runs if r.scheduled <= at]
        kept = [r for r in runs if r.ended(at) is None]  # still running
        for failed in (True, False):
            kept += [r for r in runs if r.ended(at) is not None and r.fails == failed][
                -SMOKE_HISTORY:
            ]
        kept.sort(key=lambda r: r.scheduled)
        cronjob = {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": _meta(SMOKE_NAME, SMOKE_NS, uid, self.clock.iso(_LONG_AGO), labels),
            "spec": {
                "schedule": f"5 */{SMOKE_EVERY_HOURS} * * *",
                "concurrencyPolicy": "Forbid",
                "successfulJobsHistoryLimit": SMOKE_HISTORY,
                "failedJobsHistoryLimit": SMOKE_HISTORY,
                "jobTemplate": {"metadata": {"labels": labels}, "spec": _job_spec(labels)},
            },
            "status": {"lastScheduleTime": self.clock.iso(runs[-1].scheduled)},
        }
        return [cronjob, *(r.job(labels, uid, at) for r in kept)]


def _job_spec(labels: dict[str, str]) -> dict[str, Any]:
    container = {
        "name": SMOKE_NAME,
        "image": "registry.example.com/platform/smoke-deploy:1.4.0",
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
    }
    return {
        "backoffLimit": 0,
        "activeDeadlineSeconds": SMOKE_DEADLINE_SECONDS,
        "completions": 1,
        "parallelism": 1,
        "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [container], "restartPolicy": "Never"},
        },
    }


class _SmokeRun:
    """One scheduled run: deploy a canary app, check it answers, delete it."""

    def __init__(self, writer: OperationsWriter, day: int, run: int) -> None:
        self.writer = writer
        self.scheduled = 24.0 * day + SMOKE_EVERY_HOURS * run + 5 / 60
        self.minute = int(writer.clock.at(self.scheduled).timestamp()) // 60
        self.name = f"{SMOKE_NAME}-{self.minute}"  # the CronJob controller's name
        cluster, plan = writer.cluster, writer.plan
        self.fails = plan.smoke_fails(cluster, day, run)
        self.started = self.scheduled + _spread(f"{cluster}/{self.name}/start", 1, 4) / 3600
        seconds = (
            SMOKE_DEADLINE_SECONDS
            if self.fails
            else _spread(f"{cluster}/{self.name}", 900, 1500)
            if plan.smoke_slow(cluster, day)
            else _spread(f"{cluster}/{self.name}", 70, 150)
        )
        self.finished = self.started + seconds / 3600

    def ended(self, at: float) -> float | None:
        return self.finished if self.finished <= at else None

    def job(self, labels: dict[str, str], cronjob_uid: str, at: float) -> dict[str, Any]:
        clock, uid = self.writer.clock, _uid(f"{self.writer.cluster}/job/{self.name}")
        job_labels = {
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": self.name,
            "controller-uid": uid,
            "job-name": self.name,
            **labels,
        }
        status: dict[str, Any] = {
            "startTime": clock.iso(self.started),
            "terminating": 0,
            "ready": 0,
            "uncountedTerminatedPods": {},
        }
        if self.ended(at) is None:
            status.update(active=1, ready=1)
        else:
            done = clock.iso(self.finished)
            final, reason, message = (
                ("Failed", "DeadlineExceeded", "Job was active longer than specified deadline")
                if self.fails
                else ("Complete", "CompletionsReached", "Reached expected number of succeeded pods")
            )
            first = "FailureTarget" if self.fails else "SuccessCriteriaMet"
            status["conditions"] = [
                {
                    "type": kind,
                    "status": "True",
                    "lastProbeTime": done,
                    "lastTransitionTime": done,
                    "reason": reason,
                    "message": message,
                }
                for kind in (first, final)
            ]
            status.update({"failed": 1} if self.fails else {"succeeded": 1, "completionTime": done})
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": _meta(
                self.name,
                SMOKE_NS,
                uid,
                clock.iso(self.scheduled),
                job_labels,
                annotations={
                    "batch.kubernetes.io/cronjob-scheduled-timestamp": clock.iso(self.scheduled)
                },
                ownerReferences=_owner("CronJob", SMOKE_NAME, cronjob_uid, "batch/v1"),
            ),
            "spec": _job_spec(labels),
            "status": status,
        }
