from __future__ import annotations

from pathlib import Path

from tests.cli import migrated_operator_env, operator_env, run_cercle

PRODUCTION = {
    "CERCLE_DEBUG": "false",
    "CERCLE_SECRET_KEY": "p" * 20 + "Q9-w" * 12,
    "CERCLE_ALLOWED_HOSTS": "cercle.example.org",
    "CERCLE_SITE_URL": "https://cercle.example.org",
}


def test_help_lists_cercles_own_commands(tmp_path: Path) -> None:
    result = run_cercle("help", env=operator_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "[cercle]" in result.stdout
    for command in ["serve", "demo", "db_worker", "migrate"]:
        assert command in result.stdout


def test_each_command_explains_itself(tmp_path: Path) -> None:
    serve = run_cercle("serve", "--help", env=operator_env(tmp_path))
    assert serve.returncode == 0
    assert "gunicorn" in serve.stdout
    assert "--bind" in serve.stdout
    assert "Ctrl-C" in serve.stdout
    assert "--no-periodic" in serve.stdout
    demo = run_cercle("demo", "--help", env=operator_env(tmp_path))
    assert demo.returncode == 0
    assert "--if-empty" in demo.stdout
    assert "bilingual" in demo.stdout


def test_deploy_check_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = run_cercle(
        "check", "--deploy", "--fail-level", "WARNING", env=operator_env(tmp_path, **PRODUCTION)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_warns_when_served_without_https(tmp_path: Path) -> None:
    env = operator_env(tmp_path, **{**PRODUCTION, "CERCLE_SITE_URL": "http://cercle.example.org"})
    result = run_cercle("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr


def test_a_bad_setting_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    result = run_cercle("check", env=operator_env(tmp_path, CERCLE_EMAIL_PORT="smtp"))
    assert result.returncode != 0
    assert "CERCLE_EMAIL_PORT='smtp' is not a whole number." in result.stderr


def test_first_run_generates_a_secret_key_under_var(tmp_path: Path) -> None:
    result = run_cercle("check", env=operator_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "secret_key").read_text()) >= 50


def test_embedded_sqlite_runs_in_wal_mode_with_foreign_keys(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    env = migrated_operator_env(migrated_sqlite, tmp_path)
    script = (
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(connection.vendor, c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('PRAGMA foreign_keys').fetchone()[0])\n"
    )
    result = run_cercle("shell", "--verbosity", "0", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "wal", "1"]
    assert (tmp_path / "cercle.sqlite3").exists()


def test_a_fresh_install_shares_its_cache_between_processes(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    # Without Redis the cache is a table that `migrate` creates: what one process
    # counts (a failed log-in, a visit), another reads.
    env = migrated_operator_env(migrated_sqlite, tmp_path)
    write = "from django.core.cache import cache\ncache.set('shared', 'between processes')\n"
    assert run_cercle("shell", "--verbosity", "0", "-c", write, env=env).returncode == 0
    read = "from django.core.cache import cache\nprint(cache.get('shared'))\n"
    result = run_cercle("shell", "--verbosity", "0", "-c", read, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "between processes"
