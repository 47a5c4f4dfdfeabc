#!/usr/bin/env python3
"""An external agent for agent-eval, in Python with no dependencies (docs/agent-protocol.md).

It reads agent-eval's messages on stdin (one JSON object per line), calls an OpenAI-compatible chat
completions API with the tools agent-eval offers, asks agent-eval to run each tool call, and writes
its final answer. It reports each model call (model, token usage and the messages sent) and, when agent-eval gives it
an OTLP endpoint, exports one span per model call there (OTLP/HTTP JSON).

Environment: OPENAI_BASE_URL (default https://api.openai.com/v1), OPENAI_API_KEY (pass it with
--agent-env OPENAI_API_KEY: agent-eval hides secrets from agents otherwise), AGENT_MODEL (default: the
task's model, else gpt-4o-mini).

    agent-eval run --agent-command "python3 examples/python-agent/agent.py" --model openai/gpt-4o-mini \\
        --agent-env OPENAI_API_KEY
"""
import json
import os
import secrets
import sys
import time
import urllib.request

FINAL_ANSWER = {
    "name": "final_answer",
    "description": "Give the final answer to the user.",
    "parameters": {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]},
}


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def receive():
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)
    return json.loads(line)


def post_json(url, body, headers=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("content-type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read() or b"{}")


def export_span(task, model, usage, started_ns, ended_ns):
    """One `chat {model}` span in the task's trace, sent to agent-eval's OTLP receiver."""
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    traceparent = task.get("traceparent") or os.environ.get("TRACEPARENT")
    if not endpoint or not traceparent:
        return
    _, trace_id, parent_id, _ = traceparent.split("-")
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": model,
        "gen_ai.usage.input_tokens": usage.get("prompt_tokens", 0),
        "gen_ai.usage.output_tokens": usage.get("completion_tokens", 0),
    }
    span = {
        "traceId": trace_id,
        "spanId": secrets.token_hex(8),
        "parentSpanId": parent_id,
        "name": f"chat {model}",
        "kind": 3,
        "startTimeUnixNano": str(started_ns),
        "endTimeUnixNano": str(ended_ns),
        "attributes": [
            {"key": key, "value": {"intValue": str(value)} if isinstance(value, int) else {"stringValue": value}}
            for key, value in attributes.items()
        ],
    }
    body = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "python-example-agent"}}]},
                "scopeSpans": [{"scope": {"name": "example"}, "spans": [span]}],
            }
        ]
    }
    try:
        post_json(endpoint.rstrip("/") + "/v1/traces", body)
    except OSError as error:
        print(f"span export failed: {error}", file=sys.stderr)


def chat(model, messages, tools):
    base = os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1").rstrip("/")
    key = os.environ.get("OPENAI_API_KEY")
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return post_json(f"{base}/chat/completions", {"model": model, "messages": messages, "tools": tools}, headers)


def reported_calls(calls):
    """The model's tool calls in the protocol's form (OpenAI's own form is accepted too)."""
    return [
        {"id": call["id"], "name": call["function"]["name"], "arguments": json.loads(call["function"].get("arguments") or "{}")}
        for call in calls
    ]


def reported(messages):
    """The messages sent to the model, in the protocol's form (model_call.messages)."""
    out = []
    for message in messages:
        entry = {"role": message["role"], "content": message.get("content")}
        if message.get("tool_calls"):
            entry["tool_calls"] = reported_calls(message["tool_calls"])
        if message.get("tool_call_id"):
            entry["tool_call_id"] = message["tool_call_id"]
        out.append(entry)
    return out


def run_turn(task, model, messages, tools):
    """Model calls and tool calls until a final answer (or plain text); returns the answer."""
    for _ in range(task["max_steps"]):
        started = time.time_ns()
        sent = reported(messages)
        reply = chat(model, messages, tools)
        ended = time.time_ns()
        usage = reply.get("usage") or {}
        message = reply["choices"][0]["message"]
        calls = message.get("tool_calls") or []
        send({
            "type": "model_call",
            "model": reply.get("model", model),
            "usage": {"input_tokens": usage.get("prompt_tokens", 0), "output_tokens": usage.get("completion_tokens", 0)},
            "duration_ms": (ended - started) / 1e6,
            "output": message.get("content"),
            # A reasoning model's reasoning (kept on the row, never sent back to the model).
            "reasoning": message.get("reasoning_content") if isinstance(message.get("reasoning_content"), str) else None,
            "tool_calls": reported_calls(calls),
            "messages": sent,
        })
        export_span(task, model, usage, started, ended)
        messages.append({"role": "assistant", "content": message.get("content"), **({"tool_calls": calls} if calls else {})})
        if not calls:
            return message.get("content") or ""
        for call in calls:
            name = call["function"]["name"]
            arguments = json.loads(call["function"].get("arguments") or "{}")
            if name == "final_answer":
                return str(arguments.get("answer", ""))
            send({"type": "tool_call", "id": call["id"], "name": name, "arguments": arguments})
            result = receive()
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": result["output"]})
    return None


def main():
    while True:
        message = receive()
        if message["type"] != "task":
            continue
        task = message
        model = os.environ.get("AGENT_MODEL") or (task.get("model") or "gpt-4o-mini").split("/", 1)[-1]
        tools = [{"type": "function", "function": tool} for tool in task["tools"] + [FINAL_ANSWER]]
        messages = [
            {"role": "system", "content": "You are a helpful agent. Use the tools, then call final_answer."},
            {"role": "user", "content": task["prompt"]},
        ]
        while True:
            answer = run_turn(task, model, messages, tools)
            if answer is None:
                send({"type": "error", "message": f"no answer within {task['max_steps']} steps"})
                break
            send({"type": "final_answer", "answer": answer})
            following = receive()
            if following["type"] != "user_message":
                break
            messages.append({"role": "user", "content": following["content"]})


if __name__ == "__main__":
    main()
