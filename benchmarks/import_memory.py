"""Peak memory of the server while it imports (or refuses) a workbook, through the page or the command.

    .venv/bin/python -m benchmarks.workbooks /tmp/files          (writes the hostile files)
    .venv/bin/python -m benchmarks.import_memory /tmp/files/bomb-2gib.xlsx --via page
    .venv/bin/python -m benchmarks.import_memory /tmp/files/bomb-2gib.xlsx --via command

Run one file per process: the peak (ru_maxrss) is the process's, so it is printed once ready to import
(Django loaded, a throwaway test database made, the file read) and again after the import.
"""

import argparse
import io
import resource
import time
from pathlib import Path

from benchmarks import django_setup, throwaway_database


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--via", choices=["page", "command", "people"], default="page")
    args = parser.parse_args()
    django_setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import CommandError, call_command
    from django.test import Client
    from django.urls import reverse

    with throwaway_database():
        from criteria.models import IndexSet, Node
        from organisations.models import Role, RoleAssignment

        admin = get_user_model().objects.create_user("quantri")
        RoleAssignment.objects.create(user=admin, role=Role.ADMIN)
        data = args.file.read_bytes()
        client = Client()
        client.force_login(admin)
        ready = _peak_mib()
        start = time.perf_counter()
        if args.via == "command":
            err = io.StringIO()
            try:
                call_command("import_indexset", str(args.file), stderr=err)
                outcome = "imported"
            except CommandError as exc:
                outcome = f"{exc}\n  {err.getvalue().strip()}"
        else:
            url = reverse("criteria:import" if args.via == "page" else "people:import")
            upload = SimpleUploadedFile(args.file.name, data)
            response = client.post(url, {"file": upload})
            text = response.content.decode()
            found = [line.strip() for line in text.splitlines() if "tệp" in line.lower() and "<li" in line]
            outcome = f"HTTP {response.status_code}: " + (" | ".join(found[:3]) or text[:300])
        elapsed = time.perf_counter() - start
        print(f"file: {args.file.name} ({len(data):,} bytes) via {args.via}")
        print(f"  outcome: {outcome}")
        print(f"  saved: {IndexSet.objects.count()} sets, {Node.objects.count()} nodes")
        print(f"  peak RSS ready: {ready:.0f} MiB; after import: {_peak_mib():.0f} MiB; time {elapsed:.2f} s")


if __name__ == "__main__":
    main()
