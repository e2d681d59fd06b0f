"""Running and operating the bot: the cme-bot CLI, its checks, term dates import, demo data, worker processes, GC tuning."""
