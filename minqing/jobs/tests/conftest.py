from minqing.jobs.tests.fixtures import database_tasks, keep_signals  # noqa: F401
