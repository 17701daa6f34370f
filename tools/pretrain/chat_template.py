"""The chat template of the default model, shared by training, evaluation and the shipped runtime.

The Jinja string is written into public/model/tokenizer_config.json; the browser runtime renders it
with @huggingface/jinja. `render_messages` is the same template written in Python so that training
data is rendered exactly as the product will render a conversation (test_chat_template checks the
two against each other through node).
"""

SPECIAL_TOKENS = ["<|endoftext|>", "<|user|>", "<|assistant|>", "<|end|>", "<|system|>"]
END_OF_TEXT, END_OF_TURN = "<|endoftext|>", "<|end|>"

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)

ROLES = ("system", "user", "assistant")


def render_messages(messages: list[dict], add_generation_prompt: bool) -> str:
    parts = []
    for message in messages:
        if message["role"] not in ROLES:
            raise ValueError(f"unknown chat role {message['role']!r}; expected one of {ROLES}")
        parts.append(f"<|{message['role']}|>\n{message['content']}<|end|>\n")
    if add_generation_prompt:
        parts.append("<|assistant|>\n")
    return "".join(parts)


def user_content(instruction: str, input_text: str) -> str:
    """How an {instruction, input} pair becomes one user turn (the extension does the same)."""
    return f"{instruction}\n\n{input_text}" if input_text else instruction


def render_prompt(instruction: str, input_text: str) -> str:
    """The text the model sees before it starts answering."""
    return render_messages([{"role": "user", "content": user_content(instruction, input_text)}], True)
