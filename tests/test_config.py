from pathlib import Path

import pytest

from scout.config import DEFAULT_URLS, load_settings
from scout.errors import ConfigError


def test_flag_beats_env_beats_file_beats_default(tmp_path):
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir(), elsewhere.mkdir()
    (project / "pyproject.toml").write_text('[tool.scout]\nmodel = "from-file"\nenrich_top = 3\n')
    assert load_settings({}, env={}, cwd=project).model == "from-file"
    assert load_settings({}, env={"SCOUT_MODEL": "from-env"}, cwd=project).model == "from-env"
    assert load_settings({"model": "flag"}, env={"SCOUT_MODEL": "from-env"}, cwd=project).model == "flag"
    assert load_settings({}, env={}, cwd=project).enrich_top == 3
    assert load_settings({}, env={}, cwd=elsewhere).model == "all-MiniLM-L6-v2"


def test_a_named_model_is_told_from_the_default_even_when_it_is_the_default(tmp_path):
    # A named model ranks every search itself; only the default may rank with its int8 version.
    assert not load_settings({}, env={}, cwd=tmp_path).model_given
    assert load_settings({"model": None}, env={}, cwd=tmp_path).model_given is False
    assert load_settings({"model": "all-MiniLM-L6-v2"}, env={}, cwd=tmp_path).model_given
    assert load_settings({}, env={"SCOUT_MODEL": "all-MiniLM-L6-v2"}, cwd=tmp_path).model_given
    (tmp_path / "pyproject.toml").write_text('[tool.scout]\nmodel = "all-MiniLM-L6-v2"\n')
    assert load_settings({}, env={}, cwd=tmp_path).model_given


def test_every_base_url_has_an_env_override(tmp_path):
    env = {f"SCOUT_{name.upper()}_URL": f"http://127.0.0.1:9/{name}/" for name in DEFAULT_URLS}
    urls = load_settings({}, env=env, cwd=tmp_path).urls
    assert urls == {name: f"http://127.0.0.1:9/{name}" for name in DEFAULT_URLS}


def test_cache_dir_offline_and_tokens_come_from_the_environment(tmp_path):
    s = load_settings({}, env={"SCOUT_CACHE_DIR": "/tmp/c", "SCOUT_OFFLINE": "1", "GITHUB_TOKEN": "t"}, cwd=tmp_path)
    assert s.cache_dir == Path("/tmp/c") and s.offline and s.github_token == "t"
    assert s.db_path == Path("/tmp/c/scout.db") and s.cache_reason == "SCOUT_CACHE_DIR is set"


def test_a_bad_config_file_is_a_config_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.scout]\nmodel = [unclosed")
    with pytest.raises(ConfigError, match="pyproject.toml"):
        load_settings({}, env={}, cwd=tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.scout]\nno_such_setting = 1\n")
    with pytest.raises(ConfigError, match="no_such_setting"):
        load_settings({}, env={}, cwd=tmp_path)


def test_the_project_config_beats_the_user_config_and_is_found_upward(tmp_path):
    user = tmp_path / "user.toml"
    user.write_text('model = "user-model"\nenrich_top = 7\n[urls]\narxiv = "http://127.0.0.1:9/a/"\n')
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.scout]\nmodel = "project-model"\n')
    deep = tmp_path / "proj" / "src" / "pkg"
    deep.mkdir(parents=True)
    env = {"SCOUT_CONFIG": str(user)}
    s = load_settings({}, env=env, cwd=deep)
    assert (s.model, s.enrich_top, s.urls["arxiv"]) == ("project-model", 7, "http://127.0.0.1:9/a")
    assert load_settings({}, env=env, cwd=tmp_path).model == "user-model"  # no project there
    assert load_settings({}, env={**env, "SCOUT_MODEL": "env"}, cwd=deep).model == "env"


@pytest.mark.parametrize("key", ["cache_dir", "github_token"])
def test_where_data_lives_and_secrets_are_not_file_settings(tmp_path, key):
    (tmp_path / "pyproject.toml").write_text(f'[tool.scout]\n{key} = "x"\n')
    with pytest.raises(ConfigError, match=f"{key} in .* cannot be set in a file"):
        load_settings({}, env={}, cwd=tmp_path)


RECIPE = '[eval]\ncommand = "python eval.py"\nmetrics_file = "m.json"\n'


def test_a_repos_recipe_is_never_read_as_scouts_settings(tmp_path):
    """A repo shipping a scout.toml recipe used to fail every command with 'unknown setting(s) in
    scout config: eval'."""
    (tmp_path / "scout.toml").write_text(RECIPE)
    (tmp_path / "scout-recipe.toml").write_text(RECIPE)
    settings = load_settings({}, env={}, cwd=tmp_path)
    assert settings.model == "all-MiniLM-L6-v2" and settings.notes == ()


def test_settings_left_in_an_old_scout_toml_get_a_note_not_an_error(tmp_path):
    (tmp_path / "scout.toml").write_text("enrich_top = 3\n")
    settings = load_settings({}, env={"SCOUT_CONFIG": str(tmp_path / "none.toml")}, cwd=tmp_path)
    assert settings.enrich_top == 10
    [note] = settings.notes
    assert "enrich_top" in note and "[tool.scout]" in note and "none.toml" in note
