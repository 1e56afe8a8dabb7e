# shellcheck shell=bash
# The webhook receiver: stands in for generic webhooks, Slack and PagerDuty,
# records every request to state/webhook/requests.jsonl and fails on demand
# (see tests/lab/webhook_receiver.py).

readonly WEBHOOK_URL=http://127.0.1.14:8080

start_webhook() {
    mkdir -p "$STATE_DIR/webhook"
    launch webhook "$LAB_PYTHON" "$LAB_DIR/webhook_receiver.py" \
        --address 127.0.1.14 --port 8080 --log "$STATE_DIR/webhook/requests.jsonl"
}

probe_webhook() { [ "$(http_code "$WEBHOOK_URL/_control/health")" = 200 ]; }
