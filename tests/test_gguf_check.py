"""checked_gguf: a GGUF is parsed once per content (a marker named by its sha256), and a changed or broken
file is parsed again and refused with the same one-line GGUFError as read_gguf."""
import pytest

from josi.core import gguf as core_gguf
from josi.core.gguf import GGUFError, checked_gguf
from josi.core.io import sha256_file


def write_gguf(path, name="tiny"):
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture
def parses(monkeypatch, tmp_path):
    monkeypatch.setenv("JOSI_CACHE", str(tmp_path / "cache"))
    seen = []
    real = core_gguf.read_gguf
    monkeypatch.setattr(core_gguf, "read_gguf", lambda path: seen.append(path) or real(path))
    return seen


def test_a_gguf_is_parsed_once_per_content(parses, tmp_path):
    path = write_gguf(tmp_path / "a.gguf")
    assert checked_gguf(path) == sha256_file(path)
    assert checked_gguf(path) == sha256_file(path)
    assert len(parses) == 1
    write_gguf(path, name="other")  # new bytes, new sha256: parsed again
    checked_gguf(path)
    assert len(parses) == 2


def test_a_broken_gguf_is_refused_every_time_and_never_marked(parses, tmp_path):
    path = write_gguf(tmp_path / "a.gguf")
    path.write_bytes(path.read_bytes()[:20])  # truncated inside the metadata
    for _ in range(2):
        with pytest.raises(GGUFError, match=r"a\.gguf: not a valid GGUF"):
            checked_gguf(path)
    assert len(parses) == 2 and not list((tmp_path / "cache").rglob(sha256_file(path)))


def test_a_missing_gguf_says_so(parses, tmp_path):
    with pytest.raises(GGUFError, match=r"nowhere\.gguf: no such file"):
        checked_gguf(tmp_path / "nowhere.gguf")
