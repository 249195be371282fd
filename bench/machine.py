"""The machine and the moment, printed by every benchmark next to its figures."""

import os
import platform
from datetime import UTC, datetime


def describe_machine(title: str) -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{title}: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average {load}"
    )
