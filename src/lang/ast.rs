//! The syntax tree the parser builds and the compiler reads. Every node keeps its byte span so
//! runtime errors can name a line and column.

use std::ops::Range;
use std::rc::Rc;

/// Bytes of the source a node came from.
pub type Span = Range<usize>;

/// A whole program: statements run in order by the main task.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The top-level statements.
    pub body: Vec<Stmt>,
}

/// A statement and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What it is.
    pub kind: StmtKind,
    /// Where it is.
    pub span: Span,
}

/// The statements of the language.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `const name = init;` or `let name = init;` (`let name;` starts as `undefined`).
    Declare {
        /// The declared name.
        name: String,
        /// False for `const`.
        mutable: bool,
        /// The initial value.
        init: Option<Expr>,
    },
    /// An expression run for its effect: `console.log(x);`, `x = 1;`.
    Expr(Expr),
    /// `return expr;`.
    Return(Option<Expr>),
    /// `if (cond) { … } else { … }`.
    If {
        /// The condition.
        cond: Expr,
        /// Run when it is truthy.
        then: Vec<Stmt>,
        /// Run otherwise.
        otherwise: Option<Vec<Stmt>>,
    },
    /// `for (const x of iterable) { … }`, or with `await` after `for`, over a stream.
    ForOf {
        /// The loop variable.
        name: String,
        /// True for `let`.
        mutable: bool,
        /// True for `for await`.
        is_await: bool,
        /// What is iterated: an array, or with `await` a stream (or an array of promises).
        iterable: Expr,
        /// The loop body.
        body: Vec<Stmt>,
    },
    /// `while (cond) { … }`.
    While {
        /// Checked before each turn.
        cond: Expr,
        /// The loop body.
        body: Vec<Stmt>,
    },
    /// `break;`: leaves the innermost loop.
    Break,
    /// `continue;`: goes on with the innermost loop's next turn.
    Continue,
    /// `throw expr;`.
    Throw(Expr),
    /// `try { … } catch (e) { … } finally { … }`.
    Try {
        /// The guarded block.
        body: Vec<Stmt>,
        /// The handler: the name the error is bound to (optional) and its block.
        catch: Option<(Option<String>, Vec<Stmt>)>,
        /// Run however the rest ended.
        finally: Option<Vec<Stmt>>,
    },
    /// `{ … }`: a block with a scope of its own.
    Block(Vec<Stmt>),
    /// `async function name(a, b) { … }` (or a plain `function`).
    Function(Rc<Function>),
}

/// A function: declared, or an arrow.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Its name (declarations), for messages.
    pub name: Option<String>,
    /// Parameter names.
    pub params: Vec<String>,
    /// True for `async` functions, which return a promise.
    pub is_async: bool,
    /// Its body.
    pub body: Body,
    /// Where it is.
    pub span: Span,
}

/// A function's body.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// `{ … }`.
    Block(Vec<Stmt>),
    /// An arrow's single expression: `() => call("a", 100)`.
    Expr(Expr),
}

/// An expression and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// The expressions of the language.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A name.
    Ident(String),
    /// `[a, b, c]`.
    Array(Vec<Expr>),
    /// `{ name: value, other }` (a record: read with `.name`, never changed).
    Object(Vec<(String, Expr)>),
    /// `!x`, `-x`, `+x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a + b` and the other binary operators.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a && b`, `a || b`: the right side runs only when needed.
    Logical(LogicalOp, Box<Expr>, Box<Expr>),
    /// `c ? a : b`.
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `name = value` (`name += value` is read as `name = name + value`).
    Assign(String, Box<Expr>),
    /// `callee(args)`.
    Call(Box<Expr>, Vec<Expr>),
    /// `object.name`.
    Member(Box<Expr>, String),
    /// `object[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// `await expr`.
    Await(Box<Expr>),
    /// An arrow function or a function expression.
    Function(Rc<Function>),
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `!`
    Not,
    /// `-`
    Neg,
    /// `+`
    Plus,
}

/// Binary operators (the short-circuiting ones are [`LogicalOp`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+` (numbers add, anything with a string joins)
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `==` (the language has no coercing equality: same as `===`)
    Eq,
    /// `!=` (same as `!==`)
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Short-circuiting operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicalOp {
    /// `&&`
    And,
    /// `||`
    Or,
}
