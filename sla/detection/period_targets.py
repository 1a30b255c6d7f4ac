"""Marketing's per-period commitments: MQL volume and acceptance rate below target."""

from datetime import datetime, timedelta

from sla import periods, selectors
from sla.detection.inserts import insert_new
from sla.models import Breach, BreachKind, Side, SLAVersion


def period_breaches_record(*, now: datetime) -> list[int]:
    """Marketing's per-period commitments: MQL volume and acceptance rate below target.

    A period is judged by the version active when it ended. Versions are few, periods
    per version are few, and each period is two aggregates over an indexed range.
    """
    # Versions that ended long ago have had all their periods judged already.
    versions = SLAVersion.objects.filter(activated_at__isnull=False).exclude(
        ended_at__lt=now - timedelta(days=400)
    )
    breaches = []
    for version in versions:
        for start in periods.judged_periods(version, now):
            figures = selectors.period_figures(version, start)
            _begins, ends = periods.period_bounds(start, version.period, version.time_zone)
            end_date = periods.next_period_start(start, version.period)
            common = {
                "side": Side.MARKETING,
                "version": version,
                "period_start": start,
                "period_end": end_date,
                "due_at": ends,
                "detected_at": now,
            }
            if figures["mqls"] < version.mql_target:
                breaches.append(
                    Breach(
                        kind=BreachKind.MQL_VOLUME,
                        target=version.mql_target,
                        actual=figures["mqls"],
                        **common,
                    )
                )
            rate = figures["acceptance_rate"]
            if rate is not None and rate < version.acceptance_rate_target:
                breaches.append(
                    Breach(
                        kind=BreachKind.ACCEPTANCE_RATE,
                        target=version.acceptance_rate_target,
                        actual=rate,
                        **common,
                    )
                )
    return insert_new(breaches)
