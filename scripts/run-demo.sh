#!/usr/bin/env bash
# `make run`: the bot on SQLite with the demonstration data, and the Agents Playground in front of it.
set -euo pipefail
cd "$(dirname "$0")/.."
BOT_PORT=${PORT:-3978}
PLAYGROUND_PORT=${PLAYGROUND_PORT:-56150}
export CME_ENV=development
export DATABASE_URL=${DATABASE_URL:-sqlite:///var/demo.db}
export M365_AGENTS_PLAYGROUND_CONFIG_PATH=$PWD/demo/playground.yml
export M365_AGENTS_PLAYGROUND_LOGFILE=$PWD/var/playground.log
export TEAMSAPPTESTER_BROWSER=none
mkdir -p var

.venv/bin/cme-bot demo load >/dev/null
.venv/bin/cme-bot serve --dev --host 127.0.0.1 --port "$BOT_PORT" 2>var/bot.log &
BOT_PID=$!
trap 'kill $BOT_PID ${PG_PID:-} 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$BOT_PORT/healthz" >/dev/null 2>&1 && break
  kill -0 $BOT_PID 2>/dev/null || { echo "the bot did not start:"; tail -20 var/bot.log; exit 1; }
  sleep 0.2
done

(cd var && node ../.tools/playground/node_modules/@microsoft/m365agentsplayground/cli.js start \
  -e "http://127.0.0.1:$BOT_PORT/api/messages" --disable-telemetry -p "$PLAYGROUND_PORT" >playground.out 2>&1) &
PG_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PLAYGROUND_PORT/_internal/v1/config" >/dev/null 2>&1 && break
  sleep 0.2
done
# Install the bot in the demo team, as a Teams admin would: it captures the channels for the reminders.
TEAM_ID=19%3Acme-team-general%40thread.tacv2  # the team of demo/playground.yml
curl -fs -X POST -H 'Content-Type: application/json' -d '{}' \
  "http://127.0.0.1:$PLAYGROUND_PORT/_debug/conversation/$TEAM_ID/installation" \
  >/dev/null || echo "  (could not install the bot in the demo team: reminders will not post)"

cat <<MSG

  cme-bot is running (SQLite: ${DATABASE_URL#sqlite:///}, log: var/bot.log).
  Open http://localhost:$PLAYGROUND_PORT in a browser: you are Sam Staff of Oakwood Primary School
  (fictional) in the Personal Chat. The other five demo people act on cards in the team and group chat.
  Say "help" to start, "report" to report a missing pupil. To post the Day 5 and Day 20 reminders of a
  given day into the team's "CME reminders" channel now, in another terminal:
    DATABASE_URL=$DATABASE_URL .venv/bin/cme-bot remind --date YYYY-MM-DD
  Press Ctrl-C to stop.

MSG
wait $BOT_PID
