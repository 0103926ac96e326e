from pathlib import Path

import pytest

from scout.config import DEFAULT_URLS, load_settings
from scout.errors import ConfigError


def test_flag_beats_env_beats_file_beats_default(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.scout]\nmodel = "from-file"\nenrich_top = 3\n')
    assert load_settings({}, env={}, cwd=tmp_path).model == "from-file"
    assert load_settings({}, env={"SCOUT_MODEL": "from-env"}, cwd=tmp_path).model == "from-env"
    assert load_settings({"model": "flag"}, env={"SCOUT_MODEL": "from-env"}, cwd=tmp_path).model == "flag"
    assert load_settings({}, env={}, cwd=tmp_path).enrich_top == 3
    assert load_settings({}, env={}, cwd=tmp_path / "nowhere").model == "all-MiniLM-L6-v2"


def test_every_base_url_has_an_env_override(tmp_path):
    env = {f"SCOUT_{name.upper()}_URL": f"http://127.0.0.1:9/{name}/" for name in DEFAULT_URLS}
    urls = load_settings({}, env=env, cwd=tmp_path).urls
    assert urls == {name: f"http://127.0.0.1:9/{name}" for name in DEFAULT_URLS}


def test_cache_dir_offline_and_tokens_come_from_the_environment(tmp_path):
    s = load_settings({}, env={"SCOUT_CACHE_DIR": "/tmp/c", "SCOUT_OFFLINE": "1", "GITHUB_TOKEN": "t"}, cwd=tmp_path)
    assert s.cache_dir == Path("/tmp/c") and s.offline and s.github_token == "t"
    assert s.db_path == Path("/tmp/c/scout.db")


def test_a_bad_config_file_is_a_config_error(tmp_path):
    (tmp_path / "scout.toml").write_text("model = [unclosed")
    with pytest.raises(ConfigError, match="scout.toml"):
        load_settings({}, env={}, cwd=tmp_path)
    (tmp_path / "scout.toml").write_text("no_such_setting = 1\n")
    with pytest.raises(ConfigError, match="no_such_setting"):
        load_settings({}, env={}, cwd=tmp_path)
