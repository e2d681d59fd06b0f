#!/usr/bin/env bash
# `make run`: the bot on SQLite with the demonstration data, and in front of it one Agents Playground per
# demonstration person (the playground lets only its current user type and use the personal chat).
# AS=tara,sam starts only those people's playgrounds; the first of them shows the team's channels.
set -euo pipefail
cd "$(dirname "$0")/.."
BOT_PORT=${PORT:-3978}
PLAYGROUND_PORT=${PLAYGROUND_PORT:-56150}  # Sam Staff's; each other person's is the next one along
CLI=$PWD/.tools/playground/node_modules/@microsoft/m365agentsplayground/cli.js
DIR=${DEMO_DIR:-var}  # the logs and the playgrounds' configs
export CME_ENV=development
export DATABASE_URL=${DATABASE_URL:-sqlite:///var/demo.db}
export TEAMSAPPTESTER_BROWSER=none
mkdir -p var "$DIR/playgrounds"

# One config per person, from demo/playground.yml: offset, key, name, role, personal chat id (quoted), and the team
# to install from their playground ("-": the shared team; Nadia's: Northfield's own, whose General is its channel).
# A person's port must be free: the playground would silently take another, and their address move.
PEOPLE=$(.venv/bin/python -m bot.ops.playgrounds --dir "$DIR/playgrounds" --as "${AS:-}" --port "$PLAYGROUND_PORT")
TEAM_ID=$(.venv/bin/python -m bot.ops.playgrounds --dir "$DIR/playgrounds" --team-id)

.venv/bin/cme-bot demo load --with-child >/dev/null  # and a child out of provision, to hand over
.venv/bin/cme-bot serve --dev --host 127.0.0.1 --port "$BOT_PORT" 2>"$DIR/bot.log" &
BOT_PID=$!
PIDS=("$BOT_PID")
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$BOT_PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$BOT_PID" 2>/dev/null || { echo "the bot did not start:"; tail -20 "$DIR/bot.log"; exit 1; }
  sleep 0.2
done

while IFS=$'\t' read -r offset key _name _role _chat _team; do
  : >"$DIR/playgrounds/$key.out"  # no "Listening on" left from a previous run
  (cd "$DIR/playgrounds" && M365_AGENTS_PLAYGROUND_CONFIG_PATH=$PWD/$key.yml M365_AGENTS_PLAYGROUND_LOGFILE=$PWD/$key.log \
    exec node "$CLI" start -e "http://127.0.0.1:$BOT_PORT/api/messages" --disable-telemetry \
    -p "$((PLAYGROUND_PORT + offset))" >"$key.out" 2>&1) &
  PIDS+=("$!")
done <<<"$PEOPLE"

FIRST=""
while IFS=$'\t' read -r offset key name _role chat team; do
  port=$((PLAYGROUND_PORT + offset))
  # its own line, not a request: polling a port nothing listens on yet can connect the port to itself
  for _ in $(seq 1 150); do
    grep -q "^Listening on" "$DIR/playgrounds/$key.out" 2>/dev/null && break
    sleep 0.2
  done
  grep -qx "Listening on $port" "$DIR/playgrounds/$key.out" \
    || { echo "$name's playground did not start on port $port: see $DIR/playgrounds/$key.out"; exit 1; }
  url="http://127.0.0.1:$port"
  # The app installed for the person, as Teams does: the bot may write to them before they say anything.
  curl -fs -X POST -H 'Content-Type: application/json' -d '{}' "$url/_debug/conversation/$chat/installation" \
    >/dev/null || echo "  (could not install the bot in $name's personal chat: see $DIR/playgrounds/$key.log)"
  if [ "$team" != "-" ]; then  # their authority's own team: its channel's posts show in their playground
    curl -fs -X POST -H 'Content-Type: application/json' -d '{}' "$url/_debug/conversation/$team/installation" \
      >/dev/null || echo "  (could not install the bot in $name's team: its channel will not show the bot's posts)"
  else
    FIRST=${FIRST:-$url}
    TEAM_HOLDER=${TEAM_HOLDER:-$name}
  fi
done <<<"$PEOPLE"
# The bot installed in the demo team from the first playground of Example Borough: its channels show its posts there.
if [ -n "$FIRST" ]; then
  curl -fs -X POST -H 'Content-Type: application/json' -d '{}' "$FIRST/_debug/conversation/$TEAM_ID/installation" \
    >/dev/null || echo "  (could not install the bot in the demo team: reminders will not post)"
fi
echo
echo "  cme-bot is running (SQLite: ${DATABASE_URL#sqlite:///}, log: $DIR/bot.log). Open each person's"
echo "  playground in a browser tab of its own; in each you are that person, in their Personal Chat:"
echo
while IFS=$'\t' read -r offset _key name role _chat _team; do
  printf '    %-14s http://localhost:%-6s %s\n' "$name" "$((PLAYGROUND_PORT + offset))" "$role"
done <<<"$PEOPLE"
cat <<MSG

  Cards the bot sends someone arrive in their own playground. The team's channels show the bot's posts in
  one playground only, the first of Example Borough's started: ${TEAM_HOLDER:-nobody}'s. (\`make run AS=tara,sam\`
  starts only Tara Tracker's and Sam Staff's, with the channels in Tara's.) Nadia North's playground has
  Northfield's own team: its General channel is Northfield's, where a hand-off's line waits to be accepted.
  Tara's register has a child already out of provision (Pip Fictional-Demo): Open, Outside the area, Northfield.
  Say "help" to start, "report" (school staff) to report a missing pupil. To post the Day 5 and Day 20
  reminders of a given day into the team's "CME reminders" channel now, in another terminal:
    DATABASE_URL=$DATABASE_URL .venv/bin/cme-bot remind --date YYYY-MM-DD
  Press Ctrl-C to stop.

MSG
wait "$BOT_PID"
