"""VKScript, the language of `execute`: the part VK documents, parsed and run.

VK's documentation of `execute` lists what the language has, and that is what is here:
statements separated by `;` and ending with `return <expression>`; `var`; arithmetic
(`+ - * / %`), comparisons (`< > <= >= == !=`: two numbers, two strings, or a string and a
number, the string taken as a number), `&&`, `||`, `!`; `if … else`; `while`; arrays and
objects (`[X, Y]`, `{"key": value}`); `.length`; the filter `@.` (`items@.id` is every item's
`id`); `parseInt`, `parseDouble`; `+` joining strings (and, as in VKScript, arrays); the methods
`slice push pop shift unshift splice substr split indexOf`; `delete`; assignment to elements
(`row.user.action = "test"`); `API.<section>.<method>({…})` calls and `Args.<name>`, the
other parameters of the request. There are no functions. Anything else does not compile
(VK's error 12); a failure while running is error 13.

As in VKScript, objects and arrays mix: `push` works on `{}` too, and an object whose keys are
0, 1, 2… comes out as an array. Missing properties and elements (also of `null` or `false`, the
value of a failed API call) read as `null`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_API_CALLS = 25  # VK: "not more than 25 calls of API methods"
MAX_OPERATIONS = 10_000  # VK stops long scripts too ("Too many operations"); its limit is not published
MAX_VALUE_SIZE = 1_000_000  # characters of a string or items of an array built by a script
MAX_NESTING = 100  # brackets in the code, levels in a value the script returns
MAX_NUMBER_DIGITS = 300
INT64 = 2**63

ApiCall = Callable[[str, dict[str, Any]], Any]


class ScriptError(Exception):
    """VK's error 12 (the code does not compile) or 13 (it failed while running)."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _compile_error(detail: str, pos: int | None = None) -> ScriptError:
    return ScriptError(12, detail if pos is None else f"{detail} at position {pos}")


def _runtime_error(detail: str) -> ScriptError:
    return ScriptError(13, detail)


# -- tokens -------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*|/\*.*?\*/)
    | (?P<number>[0-9]+(?:\.[0-9]+)?)
    | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
    | (?P<op>@\.|==|!=|<=|>=|&&|\|\||[-+*/%<>=!(){}\[\];,.:])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|.)", re.DOTALL)
KEYWORDS = {"var", "if", "else", "while", "return", "delete", "true", "false", "null"}


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, name, op, end
    value: Any
    pos: int


def tokenize(code: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(code):
        match = _TOKEN.match(code, pos)
        if match is None:
            raise _compile_error(f"unexpected character {code[pos]!r}", pos)
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "number":
            tokens.append(Token(kind, _literal_number(text, pos), pos))
        elif kind == "string":
            tokens.append(Token(kind, _joined_surrogates(_ESCAPE.sub(_unescape, text[1:-1])), pos))
        elif kind != "space":
            tokens.append(Token(kind, text, pos))
        pos = match.end()
    tokens.append(Token("end", None, pos))
    return tokens


def _literal_number(text: str, pos: int) -> int | float:
    number = parse_number(text) if len(text) <= MAX_NUMBER_DIGITS else None
    if number is None:
        raise _compile_error("the number is too large", pos)
    return number


def _unescape(match: re.Match[str]) -> str:
    escaped = match.group(1)
    if escaped[0] in "ux" and len(escaped) > 1:
        return chr(int(escaped[1:], 16))
    return _ESCAPES.get(escaped, escaped)


def _joined_surrogates(text: str) -> str:
    """A string's UTF-16 escapes as characters: `\\ud83d\\udce2` (what JSON encoders write for
    📢) is one character, as in JavaScript; a lone surrogate becomes U+FFFD."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


# -- the syntax tree ----------------------------------------------------------------------------
# Every node runs against a Runtime: expressions `evaluate` to a value, statements `execute`.


class Node:
    def evaluate(self, rt: Runtime) -> Any:
        raise NotImplementedError

    def execute(self, rt: Runtime) -> None:
        rt.tick()
        self.evaluate(rt)


@dataclass
class Literal(Node):
    value: Any

    def evaluate(self, rt: Runtime) -> Any:
        return self.value


@dataclass
class Variable(Node):
    name: str

    def evaluate(self, rt: Runtime) -> Any:
        rt.tick()
        if self.name not in rt.variables:
            raise _runtime_error(f"{self.name} is not defined")
        return rt.variables[self.name]


@dataclass
class ArrayLiteral(Node):
    items: list[Node]

    def evaluate(self, rt: Runtime) -> Any:
        rt.tick()
        return [item.evaluate(rt) for item in self.items]


@dataclass
class ObjectLiteral(Node):
    entries: list[tuple[str, Node]]

    def evaluate(self, rt: Runtime) -> Any:
        rt.tick()
        return {key: value.evaluate(rt) for key, value in self.entries}


@dataclass
class Member(Node):
    """`object.name` or `object[key]`."""

    target: Node
    key: Node

    def evaluate(self, rt: Runtime) -> Any:
        rt.tick()
        return get_item(self.target.evaluate(rt), self.key.evaluate(rt))


@dataclass
class Pluck(Node):
    """`items@.name`: the `name` of every item."""

    target: Node
    name: str

    def evaluate(self, rt: Runtime) -> Any:
        rt.tick()
        items = self.target.evaluate(rt)
        if isinstance(items, dict):
            items = list(items.values())
        if not isinstance(items, list):
            return None
        return [get_item(item, self.name) for item in items]


@dataclass
class Unary(Node):
    op: str
    operand: Node

    def evaluate(self, rt: Runtime) -> Any:
        rt.tick()
        value = self.operand.evaluate(rt)
        if self.op == "!":
            return not truthy(value)
        number = to_number(value, self.op)
        return number if self.op == "+" else -number


@dataclass
class Binary(Node):
    op: str
    left: Node
    right: Node

    def evaluate(self, rt: Runtime) -> Any:
        rt.tick()
        if self.op == "&&":
            left = self.left.evaluate(rt)
            return self.right.evaluate(rt) if truthy(left) else left
        if self.op == "||":
            left = self.left.evaluate(rt)
            return left if truthy(left) else self.right.evaluate(rt)
        return binary(self.op, self.left.evaluate(rt), self.right.evaluate(rt))


@dataclass
class MethodCall(Node):
    target: Node
    name: str
    args: list[Node]

    def evaluate(self, rt: Runtime) -> Any:
        rt.tick()
        target = self.target.evaluate(rt)
        args = [arg.evaluate(rt) for arg in self.args]
        return call_method(target, self.name, args)


@dataclass
class FunctionCall(Node):
    name: str
    args: list[Node]

    def evaluate(self, rt: Runtime) -> Any:
        rt.tick()
        args = [arg.evaluate(rt) for arg in self.args]
        return FUNCTIONS[self.name](*args[:1])


@dataclass
class ApiCallNode(Node):
    method: str
    args: Node | None

    def evaluate(self, rt: Runtime) -> Any:
        rt.tick()
        params = {} if self.args is None else self.args.evaluate(rt)
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise _runtime_error(f"the parameters of API.{self.method} should be an object")
        return rt.call_api(self.method, params)


@dataclass
class VarStatement(Node):
    names: list[tuple[str, Node | None]]

    def execute(self, rt: Runtime) -> None:
        rt.tick()
        for name, value in self.names:
            rt.variables[name] = None if value is None else value.evaluate(rt)


@dataclass
class Assign(Node):
    target: Node  # Variable or Member
    value: Node

    def execute(self, rt: Runtime) -> None:
        rt.tick()
        if isinstance(self.target, Variable):
            rt.variables[self.target.name] = self.value.evaluate(rt)
            return
        assert isinstance(self.target, Member)
        container = self.target.target.evaluate(rt)
        key = self.target.key.evaluate(rt)
        set_item(container, key, self.value.evaluate(rt))


@dataclass
class Delete(Node):
    target: Member

    def execute(self, rt: Runtime) -> None:
        rt.tick()
        container = self.target.target.evaluate(rt)
        key = self.target.key.evaluate(rt)
        if isinstance(container, dict):
            container.pop(key_text(key), None)
        elif isinstance(container, list):
            index = list_index(container, key)
            if index is not None:
                container[index] = None  # as in JavaScript: a hole, the length stays


@dataclass
class If(Node):
    condition: Node
    then: Node
    otherwise: Node | None

    def execute(self, rt: Runtime) -> None:
        rt.tick()
        if truthy(self.condition.evaluate(rt)):
            self.then.execute(rt)
        elif self.otherwise is not None:
            self.otherwise.execute(rt)


@dataclass
class While(Node):
    condition: Node
    body: Node

    def execute(self, rt: Runtime) -> None:
        while truthy(self.condition.evaluate(rt)):
            rt.tick()
            self.body.execute(rt)


@dataclass
class Return(Node):
    value: Node | None

    def execute(self, rt: Runtime) -> None:
        rt.tick()
        raise _Returned(None if self.value is None else self.value.evaluate(rt))


@dataclass
class Block(Node):
    statements: list[Node]

    def execute(self, rt: Runtime) -> None:
        for statement in self.statements:
            statement.execute(rt)


class _Returned(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


# -- the parser ---------------------------------------------------------------------------------

# binary operators from the loosest to the tightest
_PRECEDENCE = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))
METHODS = {"slice", "push", "pop", "shift", "unshift", "splice", "substr", "split", "indexOf"}


class Parser:
    def __init__(self, code: str) -> None:
        self.tokens = tokenize(code)
        self.index = 0
        self.depth = 0

    # tokens

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def at(self, *values: str) -> bool:
        return self.token.kind in ("op", "name") and self.token.value in values

    def take(self, *values: str) -> bool:
        if self.at(*values):
            self.index += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.take(value):
            raise _compile_error(f"expected {value!r}, found {self._shown()}", self.token.pos)

    def name(self) -> str:
        token = self.token
        if token.kind != "name" or token.value in KEYWORDS:
            raise _compile_error(f"expected a name, found {self._shown()}", token.pos)
        self.index += 1
        return str(token.value)

    def _shown(self) -> str:
        return "the end" if self.token.kind == "end" else repr(self.token.value)

    # statements

    def program(self) -> Block:
        statements = []
        while self.token.kind != "end":
            statements.append(self.statement())
        if not any(_returns(statement) for statement in statements):
            raise _compile_error("the code must end with return <expression>")
        return Block(statements)

    def statement(self) -> Node:
        if self.take(";"):
            return Block([])
        if self.take("{"):
            with self._nested():
                statements = []
                while not self.take("}"):
                    if self.token.kind == "end":
                        raise _compile_error("expected '}', found the end", self.token.pos)
                    statements.append(self.statement())
            return Block(statements)
        if self.take("if"):
            condition = self._condition()
            with self._nested():
                then = self.statement()
                return If(condition, then, self.statement() if self.take("else") else None)
        if self.take("while"):
            condition = self._condition()
            with self._nested():
                return While(condition, self.statement())
        statement = self._simple_statement()
        if not self.take(";") and not self.at("}") and self.token.kind != "end":
            raise _compile_error(f"expected ';', found {self._shown()}", self.token.pos)
        return statement

    def _condition(self) -> Node:
        self.expect("(")
        condition = self.expression()
        self.expect(")")
        return condition

    def _simple_statement(self) -> Node:
        if self.take("var"):
            names = []
            while True:
                name = self.name()
                names.append((name, self.expression() if self.take("=") else None))
                if not self.take(","):
                    return VarStatement(names)
        if self.take("return"):
            ends = self.at(";", "}") or self.token.kind == "end"
            return Return(None if ends else self.expression())
        if self.take("delete"):
            target = self.expression()
            if not isinstance(target, Member):
                raise _compile_error("delete needs an element: delete a.b or delete a[i]")
            return Delete(target)
        expression = self.expression()
        if self.take("="):
            if not isinstance(expression, (Variable, Member)):
                raise _compile_error("only a variable or an element can be assigned to")
            return Assign(expression, self.expression())
        return expression

    # expressions

    def expression(self, level: int = 0) -> Node:
        if level == len(_PRECEDENCE):
            return self._unary()
        left = self.expression(level + 1)
        while self.at(*_PRECEDENCE[level]):
            op = str(self.token.value)
            self.index += 1
            left = Binary(op, left, self.expression(level + 1))
        return left

    def _unary(self) -> Node:
        if self.at("!", "-", "+"):
            op = str(self.token.value)
            self.index += 1
            with self._nested():
                return Unary(op, self._unary())
        return self._postfix(self._primary())

    def _postfix(self, node: Node) -> Node:
        while True:
            if self.take("."):
                name = self.name()
                if self.take("("):
                    if name not in METHODS:
                        raise _compile_error(f"unknown method {name}()", self.token.pos)
                    node = MethodCall(node, name, self._arguments())
                else:
                    node = Member(node, Literal(name))
            elif self.take("@."):
                node = Pluck(node, self.name())
            elif self.take("["):
                with self._nested():
                    node = Member(node, self.expression())
                self.expect("]")
            else:
                return node

    def _arguments(self) -> list[Node]:
        """After '(': the arguments and the ')'."""
        args: list[Node] = []
        with self._nested():
            while not self.take(")"):
                if args:
                    self.expect(",")
                args.append(self.expression())
        return args

    def _primary(self) -> Node:
        token = self.token
        if token.kind in ("number", "string"):
            self.index += 1
            return Literal(token.value)
        if self.take("("):
            with self._nested():
                node = self.expression()
            self.expect(")")
            return node
        if self.take("["):
            items: list[Node] = []
            with self._nested():
                while not self.take("]"):
                    if items:
                        self.expect(",")
                        if self.take("]"):
                            break
                    items.append(self.expression())
            return ArrayLiteral(items)
        if self.take("{"):
            return self._object()
        if self.take("true", "false", "null"):
            return Literal({"true": True, "false": False, "null": None}[token.value])
        if token.kind != "name" or token.value in KEYWORDS:
            raise _compile_error(f"expected an expression, found {self._shown()}", token.pos)
        name = self.name()
        if name == "API":
            return self._api_call()
        if name in FUNCTIONS:
            self.expect("(")
            return FunctionCall(name, self._arguments())
        return Variable(name)

    def _object(self) -> Node:
        """After '{': `key: value` pairs (keys are names, strings or numbers) and the '}'."""
        entries: list[tuple[str, Node]] = []
        with self._nested():
            while not self.take("}"):
                if entries:
                    self.expect(",")
                    if self.take("}"):
                        break
                key = self.token
                if key.kind in ("string", "number") or (key.kind == "name"):
                    self.index += 1
                else:
                    raise _compile_error(f"expected a key, found {self._shown()}", key.pos)
                self.expect(":")
                entries.append((key_text(key.value), self.expression()))
        return ObjectLiteral(entries)

    def _api_call(self) -> Node:
        self.expect(".")
        section = self.name()
        self.expect(".")
        method = f"{section}.{self.name()}"
        self.expect("(")
        args = self._arguments()
        if len(args) > 1:
            raise _compile_error(f"API.{method} takes one object of parameters")
        return ApiCallNode(method, args[0] if args else None)

    def _nested(self) -> _Nesting:
        return _Nesting(self)


class _Nesting:
    """Counts bracket levels so that absurdly nested code is a compile error, not a crash."""

    def __init__(self, parser: Parser) -> None:
        self.parser = parser

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_NESTING:
            raise _compile_error("the code is nested too deeply", self.parser.token.pos)

    def __exit__(self, *exc_info: object) -> None:
        self.parser.depth -= 1


def _returns(node: Node) -> bool:
    if isinstance(node, Return):
        return True
    if isinstance(node, Block):
        return any(_returns(statement) for statement in node.statements)
    if isinstance(node, If):
        return _returns(node.then) or (node.otherwise is not None and _returns(node.otherwise))
    if isinstance(node, While):
        return _returns(node.body)
    return False


def compile_script(code: str) -> Block:
    """The program in `code`, or ScriptError 12."""
    try:
        return Parser(code).program()
    except RecursionError:
        raise _compile_error("the code is nested too deeply") from None


# -- running ------------------------------------------------------------------------------------


@dataclass
class Runtime:
    call_api: ApiCall
    variables: dict[str, Any] = field(default_factory=dict)
    operations: int = 0

    def tick(self) -> None:
        self.operations += 1
        if self.operations > MAX_OPERATIONS:
            raise _runtime_error("Too many operations")


def run(program: Block, call_api: ApiCall, args: dict[str, str] | None = None) -> Any:
    """Run a compiled program: its return value, ready for JSON (ScriptError 13 on failure).

    `call_api(method, params)` runs one API call; more than MAX_API_CALLS of them is error 13.
    """
    calls = 0

    def counted_call(method: str, params: dict[str, Any]) -> Any:
        nonlocal calls
        calls += 1
        if calls > MAX_API_CALLS:
            raise _runtime_error("Too many API calls")
        return call_api(method, {key: to_json(value) for key, value in params.items()})

    runtime = Runtime(counted_call, {"Args": dict(args or {})})
    try:
        program.execute(runtime)
    except _Returned as returned:
        return to_json(returned.value)
    except RecursionError:  # a value inside itself, or an expression thousands of terms long
        raise _runtime_error("the code or a value is nested too deeply") from None
    return None


# -- values -------------------------------------------------------------------------------------


def truthy(value: Any) -> bool:
    if isinstance(value, (list, dict)):
        return True
    return bool(value)


def to_number(value: Any, context: str) -> int | float:
    if value is None or isinstance(value, bool):
        return int(bool(value))
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        number = parse_number(value)
        if number is not None:
            return number
    raise _runtime_error(f"{context}: {kind_of(value)} is not a number")


_NUMERIC = re.compile(r"\s*([-+]?)([0-9]+)?(\.[0-9]*)?([eE][-+]?[0-9]+)?\s*")


def parse_number(text: str) -> int | float | None:
    """A string that is a decimal number (JavaScript's Number(text)), else None."""
    match = _NUMERIC.fullmatch(text)
    if match is None or len(text) > MAX_NUMBER_DIGITS or not (match[2] or (match[3] or "")[1:]):
        return None
    if match[3] is None and match[4] is None:
        return normal(int(match[1] + match[2]))
    number = float(text)
    return normal(number) if math.isfinite(number) else None


def normal(number: int | float) -> int | float:
    """One number type, as in JavaScript: 4 / 2 is 2, not 2.0; integers stay exact within
    int64 (VK's ids) and become floating beyond it; infinities are errors."""
    if isinstance(number, float):
        if not math.isfinite(number):
            raise _runtime_error("the number is too large")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return number if -INT64 <= number < INT64 else normal(float(number))


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", list: "an array", dict: "an object"}.get(
        type(value), "a number"
    )


def text_of(value: Any) -> str:
    """A value joined into a string, as JavaScript writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(normal(value))
    if isinstance(value, list):
        return ",".join("" if item is None else text_of(item) for item in value)
    return "[object Object]"


def binary(op: str, left: Any, right: Any) -> Any:
    if op == "+":
        if isinstance(left, list) and isinstance(right, list):  # VKScript joins arrays
            return _sized(left + right)
        if isinstance(left, str) or isinstance(right, str):
            return _sized(text_of(left) + text_of(right))
    if op in ("==", "!="):
        return equal(left, right) == (op == "==")
    if op in ("<", ">", "<=", ">="):
        return compare(op, left, right)
    a, b = to_number(left, op), to_number(right, op)
    if op == "+":
        return normal(a + b)
    if op == "-":
        return normal(a - b)
    if op == "*":
        return normal(a * b)
    if b == 0:
        raise _runtime_error("division by zero")
    if op == "/":
        return normal(a / b)
    return normal(math.fmod(a, b))  # % keeps the sign of the dividend, as in JavaScript


def equal(left: Any, right: Any) -> bool:
    numbers = (int, float, bool)
    if isinstance(left, str) and isinstance(right, numbers):
        left = parse_number(left)
    elif isinstance(right, str) and isinstance(left, numbers):
        right = parse_number(right)
    return bool(left == right)


def compare(op: str, left: Any, right: Any) -> bool:
    """Two strings by their characters; otherwise as numbers (a string that is not a number
    compares false, as NaN does)."""
    if not (isinstance(left, str) and isinstance(right, str)):
        left, right = _comparable(left, op), _comparable(right, op)
        if left is None or right is None:
            return False
    if op == "<":
        return bool(left < right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    return bool(left >= right)


def _comparable(value: Any, op: str) -> int | float | None:
    return parse_number(value) if isinstance(value, str) else to_number(value, op)


def key_text(key: Any) -> str:
    return text_of(key)


def list_index(items: list[Any], key: Any) -> int | None:
    number = key if isinstance(key, int) and not isinstance(key, bool) else None
    if isinstance(key, str):
        parsed = parse_number(key)
        number = parsed if isinstance(parsed, int) else None
    return number if number is not None and 0 <= number < len(items) else None


def get_item(container: Any, key: Any) -> Any:
    if isinstance(container, dict):
        name = key_text(key)
        return len(container) if name == "length" and name not in container else container.get(name)
    if key == "length" and isinstance(container, (list, str)):
        return len(container)
    if isinstance(container, (list, str)):
        index = list_index(container, key)  # type: ignore[arg-type]
        return None if index is None else container[index]
    return None


def set_item(container: Any, key: Any, value: Any) -> None:
    if isinstance(container, dict):
        container[key_text(key)] = value
        return
    if isinstance(container, list):
        index = key if isinstance(key, int) and not isinstance(key, bool) else None
        if index is None or index < 0:
            raise _runtime_error(f"an array has no element {text_of(key)!r}")
        if index >= MAX_VALUE_SIZE:
            raise _runtime_error("the array is too large")
        container.extend([None] * (index + 1 - len(container)))
        container[index] = value
        return
    raise _runtime_error(f"cannot set {text_of(key)!r} of {kind_of(container)}")


def _sized(value: Any) -> Any:
    if len(value) > MAX_VALUE_SIZE:
        raise _runtime_error("the value is too large")
    return value


def _integer(value: Any, default: int) -> int:
    if value is None:
        return default
    number = to_number(value, "argument")
    return int(number) if math.isfinite(number) else default


def _bounds(length: int, start: Any, end: Any) -> tuple[int, int]:
    """slice()'s start and end, negative counting from the end, as in JavaScript."""
    def clamp(position: int) -> int:
        return max(0, length + position) if position < 0 else min(position, length)

    return clamp(_integer(start, 0)), clamp(_integer(end, length))


def call_method(target: Any, name: str, args: list[Any]) -> Any:
    arg = args + [None] * (3 - len(args))
    if isinstance(target, dict) and _is_sequence(target):
        items = list(target.values())  # an object used as an array, as VKScript allows
        result = call_method(items, name, args)
        target.clear()
        target.update({str(i): item for i, item in enumerate(items)})
        return result
    if isinstance(target, str):
        if name == "substr":
            start = _integer(arg[0], 0)
            start = max(0, len(target) + start) if start < 0 else start
            return target[start : start + max(0, _integer(arg[1], len(target)))]
        if name == "slice":
            start, end = _bounds(len(target), arg[0], arg[1])
            return target[start:end]
        if name == "split":
            if arg[0] is None:
                return [target]
            separator = text_of(arg[0])
            parts = list(target) if separator == "" else target.split(separator)
            return _sized(parts[: _integer(arg[1], len(parts))])
        if name == "indexOf":
            return target.find(text_of(arg[0]))
    if isinstance(target, list):
        if name == "push":
            target.extend(args)
            return len(_sized(target))
        if name == "unshift":
            target[:0] = args
            return len(_sized(target))
        if name == "pop":
            return target.pop() if target else None
        if name == "shift":
            return target.pop(0) if target else None
        if name == "slice":
            start, end = _bounds(len(target), arg[0], arg[1])
            return target[start:end]
        if name == "splice":
            start, _ = _bounds(len(target), arg[0], None)
            count = _integer(arg[1], len(target) - start) if len(args) > 1 else len(target) - start
            removed = target[start : start + max(0, count)]
            target[start : start + max(0, count)] = args[2:]
            return removed
        if name == "indexOf":
            return next((i for i, item in enumerate(target) if _same(item, arg[0])), -1)
    raise _runtime_error(f"{name}() cannot be used on {kind_of(target)}")


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b or (
        isinstance(a, (int, float)) and isinstance(b, (int, float))
        and not isinstance(a, bool) and not isinstance(b, bool) and a == b
    )


def _is_sequence(obj: dict[str, Any]) -> bool:
    return list(obj) == [str(i) for i in range(len(obj))]


def _parse_int(value: Any = None) -> Any:
    match = re.match(r"\s*([-+]?[0-9]+)", text_of(value))
    return int(match.group(1)) if match else None


def _parse_double(value: Any = None) -> Any:
    match = re.match(r"\s*([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)", text_of(value))
    return parse_number(match.group(1)) if match else None


FUNCTIONS: dict[str, Callable[..., Any]] = {"parseInt": _parse_int, "parseDouble": _parse_double}


def to_json(value: Any, depth: int = 0) -> Any:
    """A script's value as VK answers it: objects keyed 0, 1, 2… are arrays; too deep or
    circular values are error 13."""
    if depth > MAX_NESTING:
        raise _runtime_error("the value is nested too deeply")
    if isinstance(value, list):
        return [to_json(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if value and _is_sequence(value):
            return [to_json(item, depth + 1) for item in value.values()]
        return {key: to_json(item, depth + 1) for key, item in value.items()}
    return value

