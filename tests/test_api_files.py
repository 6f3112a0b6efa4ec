"""Files, download and diff through the HTTP contract, with files a scripted generator wrote.

The expected contents, change marks, archive entries and diff lines are written out here, not
read back from the API (the browser test compares the page with the API's own diff).
"""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

import pytest

from codegen.generators.base import GeneratedFile, GenerationResult
from codegen.lifecycle import Mode, Stage
from tests.conftest import Server, ServerFactory, UserFactory
from tests.helpers import ApiClient

PARENT_PROMPT = "Create a REST API with authentication"
CHILD_PROMPT = "Add a health check and drop the notes"
OTHER_PROMPT = "Write a command line tool that counts words"
NOT_FOUND = {"detail": "Generation not found"}

PARENT_FILES = {
    "app.py": "print('hello')\n",
    "models.py": "NAME = 'ada'\n",
    "NOTES.md": "# notes\n",
}
CHILD_FILES = {
    "app.py": "print('hello')\n",  # unchanged
    "models.py": "NAME = 'grace'\n",  # modified
    "health.py": "OK = 'déjà vu'\n",  # added (non-ASCII: size is bytes)
}
OTHER_FILES = {"count.py": "import sys\n"}
SCRIPT = {PARENT_PROMPT: PARENT_FILES, CHILD_PROMPT: CHILD_FILES, OTHER_PROMPT: OTHER_FILES}


class ScriptedGenerator:
    """Writes the files the script names for the prompt."""

    name = "scripted"

    async def generate(self, request: Any, report: Any) -> GenerationResult:
        await report(Stage.PLANNING if request.mode == Mode.PHASED else Stage.GENERATING, 0.1, "Started")
        files = SCRIPT[request.prompt]
        return GenerationResult(files=[GeneratedFile(path, content) for path, content in files.items()])


@pytest.fixture
async def scripted(make_server: ServerFactory) -> Server:
    return await make_server(generator=ScriptedGenerator(), generate_rate_limit=0)


async def completed(user: ApiClient, prompt: str, **fields: Any) -> dict[str, Any]:
    generation = await user.generate(prompt, **fields)
    finished = await user.wait_for(generation["id"])
    assert finished["status"] == "completed", finished
    return finished


@pytest.fixture
async def family(scripted: Server, make_user: UserFactory) -> dict[str, Any]:
    """A user with a completed parent, its completed iteration and an unrelated completed generation."""
    user = await make_user(scripted)
    parent = await completed(user, PARENT_PROMPT)
    child = await completed(user, CHILD_PROMPT, is_iteration=True, parent_generation_id=parent["id"])
    other = await completed(user, OTHER_PROMPT)
    return {"user": user, "parent": parent, "child": child, "other": other}


# -- GET …/files ---------------------------------------------------------------------------------


async def test_files_of_a_generation_are_its_contents_without_change_marks(family):
    user, parent = family["user"], family["parent"]
    answer = await user.call("GET", f"/api/generations/{parent['id']}/files")
    assert answer.status == 200
    assert answer.body == {"files": [
        {"path": "NOTES.md", "language": "markdown", "size": 8, "content": "# notes\n"},
        {"path": "app.py", "language": "python", "size": 15, "content": "print('hello')\n"},
        {"path": "models.py", "language": "python", "size": 13, "content": "NAME = 'ada'\n"},
    ]}


async def test_files_of_an_iteration_are_marked_against_the_parent(family):
    user, child = family["user"], family["child"]
    answer = await user.call("GET", f"/api/generations/{child['id']}/files")
    assert answer.status == 200
    marks = {f["path"]: (f["change"], f["size"], f["content"]) for f in answer.body["files"]}
    assert marks == {
        "NOTES.md": ("deleted", 0, ""),
        "app.py": ("unchanged", 15, "print('hello')\n"),
        "health.py": ("added", len("OK = 'déjà vu'\n".encode()), "OK = 'déjà vu'\n"),
        "models.py": ("modified", 15, "NAME = 'grace'\n"),
    }
    assert [f["path"] for f in answer.body["files"]] == ["NOTES.md", "app.py", "health.py", "models.py"]


async def test_a_generation_that_only_names_a_parent_has_no_change_marks(family):
    """Change marks are for iterations; a generation that names a parent without iterating on it has none."""
    user, parent = family["user"], family["parent"]
    named = await completed(user, OTHER_PROMPT, parent_generation_id=parent["id"])
    assert (named["is_iteration"], named["parent_generation_id"]) == (False, parent["id"])
    answer = await user.call("GET", f"/api/generations/{named['id']}/files")
    assert answer.status == 200
    assert answer.body == {"files": [{"path": "count.py", "language": "python", "size": 11, "content": "import sys\n"}]}


# -- GET …/download ------------------------------------------------------------------------------


async def test_download_is_a_zip_of_exactly_the_files(family):
    user, child = family["user"], family["child"]
    answer = await user.call("GET", f"/api/generations/{child['id']}/download")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/zip"
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="rest-api-{child["id"][:8]}.zip"' in disposition
    with zipfile.ZipFile(io.BytesIO(answer.body)) as archive:
        assert archive.testzip() is None
        contents = {name: archive.read(name).decode() for name in archive.namelist()}
    # the deleted file of the iteration is not in its archive
    assert contents == {f"rest-api/{path}": content for path, content in CHILD_FILES.items()}


async def test_download_before_completion_is_409(server: Server, alice: ApiClient):
    pending = await alice.generate(PARENT_PROMPT)
    answer = await alice.call("GET", f"/api/generations/{pending['id']}/download")
    assert answer.status == 409
    assert answer.body == {"detail": "Generation is not completed (status: pending); "
                                     "files can be downloaded once it completes"}
    cancelled = await alice.call("POST", f"/api/generations/{pending['id']}/cancel")
    assert cancelled.status == 200
    assert (await alice.call("GET", f"/api/generations/{pending['id']}/download")).status == 409


async def test_the_archive_folder_is_the_project_name_as_a_slug_and_compressed(scripted, make_user):
    """"  Café ☕ Menu!! " gives the folder caf-menu (no dash at either end); a name with nothing of a-z or 0-9
    gives "project"; the entries are deflated."""
    user = await make_user(scripted)
    for name, folder in (("  Café ☕ Menu!! ", "caf-menu"), ("☕ ☕", "project")):
        project = await user.call("POST", "/api/projects", {"name": name})
        assert project.status == 201, project.body
        done = await completed(user, OTHER_PROMPT, project_id=project.body["id"])
        answer = await user.call("GET", f"/api/generations/{done['id']}/download")
        assert answer.status == 200
        with zipfile.ZipFile(io.BytesIO(answer.body)) as archive:
            assert archive.namelist() == [f"{folder}/count.py"]
            assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())


async def test_cancelling_a_finished_generation_is_409_with_its_status(family):
    user, parent = family["user"], family["parent"]
    answer = await user.call("POST", f"/api/generations/{parent['id']}/cancel")
    assert (answer.status, answer.body) == (409, {"detail": "Generation is already completed and cannot be cancelled"})


async def test_a_cancelled_generation_says_who_cancelled_it(server: Server, alice: ApiClient):
    pending = await alice.generate(PARENT_PROMPT)
    assert (await alice.call("POST", f"/api/generations/{pending['id']}/cancel")).status == 200
    cancelled = await alice.generation(pending["id"])
    assert (cancelled["status"], cancelled["message"]) == ("cancelled", "Generation cancelled by the user")
    again = await alice.call("POST", f"/api/generations/{pending['id']}/cancel")
    assert (again.status, again.body) == (409, {"detail": "Generation is already cancelled and cannot be cancelled"})


# -- GET …/diff ----------------------------------------------------------------------------------

CHILD_DIFF = (
    "--- a/NOTES.md\n"
    "+++ /dev/null\n"
    "@@ -1 +0,0 @@\n"
    "-# notes\n"
    "--- /dev/null\n"
    "+++ b/health.py\n"
    "@@ -0,0 +1 @@\n"
    "+OK = 'déjà vu'\n"
    "--- a/models.py\n"
    "+++ b/models.py\n"
    "@@ -1 +1 @@\n"
    "-NAME = 'ada'\n"
    "+NAME = 'grace'\n"
)


async def test_the_diff_of_an_iteration_is_against_its_parent(family):
    user, child = family["user"], family["child"]
    answer = await user.call("GET", f"/api/generations/{child['id']}/diff")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/x-diff; charset=utf-8"
    assert answer.body == CHILD_DIFF


async def test_the_diff_against_another_generation(family):
    user, parent, other = family["user"], family["parent"], family["other"]
    answer = await user.call("GET", f"/api/generations/{other['id']}/diff", params={"against": parent["id"]})
    assert answer.status == 200
    lines = answer.body.splitlines()
    assert [line for line in lines if line.startswith(("--- ", "+++ "))] == [
        "--- a/NOTES.md", "+++ /dev/null",
        "--- a/app.py", "+++ /dev/null",
        "--- /dev/null", "+++ b/count.py",
        "--- a/models.py", "+++ /dev/null",
    ]
    # ?against= wins over the parent, and the same generation against itself differs in nothing
    child = family["child"]
    against_other = await user.call("GET", f"/api/generations/{child['id']}/diff", params={"against": other["id"]})
    assert against_other.status == 200 and "+++ /dev/null" in against_other.body and "-import sys" in against_other.body
    itself = await user.call("GET", f"/api/generations/{child['id']}/diff", params={"against": child["id"]})
    assert (itself.status, itself.body) == (200, "")


async def test_a_diff_without_parent_or_against_is_400(family):
    user, parent = family["user"], family["parent"]
    answer = await user.call("GET", f"/api/generations/{parent['id']}/diff")
    assert answer.status == 400
    assert answer.body == {
        "detail": "Generation has no parent; pass ?against=<generation_id> to compare with another generation"
    }


async def test_a_diff_against_a_malformed_id_is_422(family):
    user, child = family["user"], family["child"]
    answer = await user.call("GET", f"/api/generations/{child['id']}/diff", params={"against": "not-a-uuid"})
    assert answer.status == 422
    assert [item["loc"] for item in answer.body["detail"]] == [["query", "against"]]


# -- other users, unknown ids, no credentials ------------------------------------------------------


@pytest.mark.parametrize("route", ["files", "download", "diff"])
async def test_another_users_generation_is_404_on_every_route(family, scripted, make_user, route):
    stranger = await make_user(scripted)
    child = family["child"]
    answer = await stranger.call("GET", f"/api/generations/{child['id']}/{route}")
    assert (answer.status, answer.body) == (404, NOT_FOUND)
    unknown = await family["user"].call("GET", f"/api/generations/{uuid.uuid4()}/{route}")
    assert (unknown.status, unknown.body) == (404, NOT_FOUND)
    anonymous = ApiClient(family["user"].http, scripted.url)
    assert (await anonymous.call("GET", f"/api/generations/{child['id']}/{route}")).status == 401


async def test_a_diff_against_another_users_generation_is_404(family, scripted, make_user):
    stranger = await make_user(scripted)
    theirs = await completed(stranger, OTHER_PROMPT)
    user, child = family["user"], family["child"]
    answer = await user.call("GET", f"/api/generations/{child['id']}/diff", params={"against": theirs["id"]})
    assert (answer.status, answer.body) == (404, NOT_FOUND)


async def test_a_diff_against_a_generation_that_did_not_complete_is_409_naming_it(family):
    user = family["user"]
    failed = await user.wait_for((await user.generate("a prompt the scripted generator has no files for"))["id"])
    assert failed["status"] == "failed"
    answer = await user.call("GET", f"/api/generations/{family['other']['id']}/diff?against={failed['id']}")
    assert answer.status == 409
    assert answer.body == {"detail": f"Generation {failed['id']} to compare with is not completed (status: failed); "
                                     "only completed generations can be compared"}


def test_a_file_without_a_final_newline_is_marked_in_the_diff():
    from codegen.services.generations import unified_diff

    # both last lines lack it: each is marked (the diff was "-two+three" before, one line of two)
    diff = unified_diff({"a.txt": "one\ntwo"}, {"a.txt": "one\nthree", "b.txt": "new\n"})
    assert diff == ("--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n\\ No newline at end of file\n"
                    "+three\n\\ No newline at end of file\n--- /dev/null\n+++ b/b.txt\n@@ -0,0 +1 @@\n+new\n")
