"""The repository carries what HACS and Home Assistant users expect of it.

The GitHub workflows cannot run here; these tests hold them to the actions'
documented inputs: valid YAML, hassfest and HACS validation (category integration),
the project's own test command, a release tagged from manifest.json's version with
notes from CHANGELOG.md, and issue templates that ask for diagnostics.
"""

import json
from pathlib import Path
import re
import shutil
import subprocess
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
MANIFEST = ROOT / "custom_components" / "provider_watch" / "manifest.json"


def workflow(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    return data


def steps(data: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job["steps"]]


def uses(data: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    return {
        step["uses"].split("@")[0]: step.get("with", {})
        for step in steps(data)
        if "uses" in step
    }


def test_every_workflow_is_valid_yaml_with_jobs() -> None:
    names = sorted(path.name for path in WORKFLOWS.glob("*.yml"))
    assert names == ["release.yml", "tests.yml", "validate.yml"]
    for name in names:
        data = workflow(name)
        # YAML reads the key `on` as True
        assert data.get(True) or data.get("on"), f"{name} has no trigger"
        for job_name, job in data["jobs"].items():
            assert job["runs-on"] == "ubuntu-latest", job_name
            assert job["steps"], job_name


def test_validation_runs_hassfest_and_hacs_for_an_integration() -> None:
    actions = uses(workflow("validate.yml"))
    assert "home-assistant/actions/hassfest" in actions
    assert actions["hacs/action"]["category"] == "integration"
    assert "actions/checkout" in actions


def test_the_test_workflow_runs_the_readme_test_command() -> None:
    data = workflow("tests.yml")
    runs = [step["run"] for step in steps(data) if "run" in step]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`scripts/test`" in readme
    assert "scripts/test" in runs
    python = uses(data)["actions/setup-python"]["python-version"]
    assert tuple(int(p) for p in python.split(".")) >= (3, 14)


def test_release_tags_the_manifest_version_with_its_changelog_notes(
    tmp_path: Path,
) -> None:
    data = workflow("release.yml")
    assert data["permissions"]["contents"] == "write"
    script = "\n".join(step.get("run", "") for step in steps(data))
    assert "jq -r .version custom_components/provider_watch/manifest.json" in script
    assert 'gh release create "v$VERSION"' in script
    # the notes are the version's section of CHANGELOG.md: run the workflow's awk
    version = json.loads(MANIFEST.read_text(encoding="utf-8"))["version"]
    awk = next(step["run"] for step in steps(data) if "awk" in step.get("run", ""))
    program = re.search(
        r"awk -v v=\"## \[\$VERSION\]\" '(.*?)' CHANGELOG", awk, re.DOTALL
    )
    assert program is not None
    awk_path = shutil.which("awk")
    assert awk_path is not None
    notes = subprocess.run(  # noqa: S603 - the workflow's own awk program
        [awk_path, "-v", f"v=## [{version}]", program.group(1), "CHANGELOG.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert notes.strip(), f"CHANGELOG.md has no section for {version}"
    assert "## [" not in notes  # only that version's section


def test_issue_templates_ask_for_diagnostics() -> None:
    template = yaml.safe_load(
        (ROOT / ".github" / "ISSUE_TEMPLATE" / "bug_report.yml").read_text(
            encoding="utf-8"
        )
    )
    fields = {item.get("id"): item for item in template["body"]}
    assert fields["diagnostics"]["validations"]["required"] is True
    assert "Download diagnostics" in fields["diagnostics"]["attributes"]["description"]
    assert {"ha_version", "version", "what"} <= set(fields)
