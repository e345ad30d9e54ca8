//! A recursive-descent parser (Pratt for operators) over the [`lexer`](super::lexer)'s tokens.
//!
//! Every input either parses or gives a [`ParseError`]; nesting is capped
//! ([`MAX_NESTING`]) so that no input can overflow the stack.

use std::rc::Rc;

use super::ast::{
    BinaryOp, Body, Expr, ExprKind, Function, LogicalOp, Program, Span, Stmt, StmtKind, UnaryOp,
};
use super::error::ParseError;
use super::lexer::{tokenize, Spanned, Tok};
use super::limits::{MAX_NESTING, MAX_PROGRAM_BYTES};

/// Parses a whole program.
pub fn parse(src: &str) -> Result<Program, ParseError> {
    if src.len() > MAX_PROGRAM_BYTES {
        return Err(ParseError::at(
            src,
            MAX_PROGRAM_BYTES..src.len(),
            format!("the program is longer than the limit of {MAX_PROGRAM_BYTES} bytes"),
        ));
    }
    let tokens = tokenize(src)?;
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        depth: 0,
    };
    let mut body = Vec::new();
    while !p.at_end() {
        body.push(p.statement()?);
    }
    Ok(Program { body })
}

struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Spanned>,
    pos: usize,
    /// How deeply the parser is nested in blocks and expressions now.
    depth: usize,
}

type PResult<T> = Result<T, ParseError>;

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Tok> {
        self.tokens.get(self.pos + ahead).map(|t| &t.tok)
    }

    /// The span of the current token, or an empty one at the end of the source.
    fn here(&self) -> Span {
        match self.tokens.get(self.pos) {
            Some(t) => t.span.clone(),
            None => self.src.len()..self.src.len(),
        }
    }

    /// Where the previous token ended.
    fn last_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map(|t| t.span.end)
            .unwrap_or(0)
    }

    fn error<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(ParseError::at(self.src, self.here(), message))
    }

    fn unexpected<T>(&self, wanted: &str) -> PResult<T> {
        match self.peek() {
            Some(tok) => self.error(format!("expected {wanted}, found {}", tok.describe())),
            None => self.error(format!("expected {wanted}, but the program ended")),
        }
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == Some(tok) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, tok: Tok, wanted: &str) -> PResult<()> {
        if self.eat(&tok) {
            Ok(())
        } else {
            self.unexpected(wanted)
        }
    }

    fn ident(&mut self, wanted: &str) -> PResult<String> {
        if let Some(Tok::Ident(name)) = self.peek() {
            let name = name.clone();
            self.pos += 1;
            Ok(name)
        } else {
            self.unexpected(wanted)
        }
    }

    /// Enters one level of nesting, refusing to go deeper than the limit.
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return self.error(format!(
                "the program is nested more deeply than the limit of {MAX_NESTING} levels"
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ----- statements -----

    fn statement(&mut self) -> PResult<Stmt> {
        self.enter()?;
        let stmt = self.statement_inner();
        self.leave();
        stmt
    }

    fn statement_inner(&mut self) -> PResult<Stmt> {
        let start = self.here().start;
        let kind = match self.peek() {
            None => return self.unexpected("a statement"),
            Some(Tok::Const | Tok::Let) => {
                let mutable = self.peek() == Some(&Tok::Let);
                self.pos += 1;
                let name = self.ident("a name to declare")?;
                let init = if self.eat(&Tok::Assign) {
                    Some(self.expression()?)
                } else if !mutable {
                    return self.unexpected("`=` (a `const` needs a value)");
                } else {
                    None
                };
                self.end_statement()?;
                StmtKind::Declare {
                    name,
                    mutable,
                    init,
                }
            }
            Some(Tok::Return) => {
                self.pos += 1;
                let value = match self.peek() {
                    None | Some(Tok::Semi | Tok::RBrace) => None,
                    _ => Some(self.expression()?),
                };
                self.end_statement()?;
                StmtKind::Return(value)
            }
            Some(Tok::Break | Tok::Continue) => {
                let kind = if self.peek() == Some(&Tok::Break) {
                    StmtKind::Break
                } else {
                    StmtKind::Continue
                };
                self.pos += 1;
                self.end_statement()?;
                kind
            }
            Some(Tok::Throw) => {
                self.pos += 1;
                let value = self.expression()?;
                self.end_statement()?;
                StmtKind::Throw(value)
            }
            Some(Tok::If) => self.if_statement()?,
            Some(Tok::For) => self.for_statement()?,
            Some(Tok::While) => {
                self.pos += 1;
                self.expect(Tok::LParen, "`(` after `while`")?;
                let cond = self.expression()?;
                self.expect(Tok::RParen, "`)`")?;
                let body = self.block_or_statement()?;
                StmtKind::While { cond, body }
            }
            Some(Tok::Try) => self.try_statement()?,
            Some(Tok::LBrace) => StmtKind::Block(self.block()?),
            Some(Tok::Semi) => {
                self.pos += 1;
                StmtKind::Block(Vec::new())
            }
            Some(Tok::Function) => StmtKind::Function(self.function_declaration(false, start)?),
            Some(Tok::Async) if self.peek_at(1) == Some(&Tok::Function) => {
                self.pos += 1;
                StmtKind::Function(self.function_declaration(true, start)?)
            }
            Some(_) => {
                let e = self.expression()?;
                self.end_statement()?;
                StmtKind::Expr(e)
            }
        };
        Ok(Stmt {
            kind,
            span: start..self.last_end(),
        })
    }

    /// A `;`, which may be left out before `}` or at the end of the program, or at a new line.
    fn end_statement(&mut self) -> PResult<()> {
        if self.eat(&Tok::Semi) {
            return Ok(());
        }
        match self.peek() {
            None | Some(Tok::RBrace) => Ok(()),
            Some(_) => {
                let between = &self.src[self.last_end()..self.here().start];
                if between.contains('\n') {
                    Ok(())
                } else {
                    self.unexpected("`;`")
                }
            }
        }
    }

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.expect(Tok::LBrace, "`{`")?;
        let mut body = Vec::new();
        while !self.eat(&Tok::RBrace) {
            if self.at_end() {
                return self.unexpected("`}`");
            }
            body.push(self.statement()?);
        }
        Ok(body)
    }

    /// A block, or a single statement where a block may stand (`if (x) return 1;`).
    fn block_or_statement(&mut self) -> PResult<Vec<Stmt>> {
        if self.peek() == Some(&Tok::LBrace) {
            self.block()
        } else {
            Ok(vec![self.statement()?])
        }
    }

    fn if_statement(&mut self) -> PResult<StmtKind> {
        self.expect(Tok::If, "`if`")?;
        self.expect(Tok::LParen, "`(` after `if`")?;
        let cond = self.expression()?;
        self.expect(Tok::RParen, "`)`")?;
        let then = self.block_or_statement()?;
        let otherwise = if self.eat(&Tok::Else) {
            Some(self.block_or_statement()?)
        } else {
            None
        };
        Ok(StmtKind::If {
            cond,
            then,
            otherwise,
        })
    }

    fn for_statement(&mut self) -> PResult<StmtKind> {
        self.expect(Tok::For, "`for`")?;
        let is_await = self.eat(&Tok::Await);
        self.expect(Tok::LParen, "`(` after `for`")?;
        let mutable = match self.peek() {
            Some(Tok::Const) => false,
            Some(Tok::Let) => true,
            _ => return self.unexpected("`const` or `let` (loops are `for (const x of …)`)"),
        };
        self.pos += 1;
        let name = self.ident("the loop variable's name")?;
        self.expect(Tok::Of, "`of` (loops are `for (const x of …)`)")?;
        let iterable = self.expression()?;
        self.expect(Tok::RParen, "`)`")?;
        let body = self.block_or_statement()?;
        Ok(StmtKind::ForOf {
            name,
            mutable,
            is_await,
            iterable,
            body,
        })
    }

    fn try_statement(&mut self) -> PResult<StmtKind> {
        self.expect(Tok::Try, "`try`")?;
        let body = self.block()?;
        let catch = if self.eat(&Tok::Catch) {
            let name = if self.eat(&Tok::LParen) {
                let name = self.ident("the caught error's name")?;
                self.expect(Tok::RParen, "`)`")?;
                Some(name)
            } else {
                None
            };
            Some((name, self.block()?))
        } else {
            None
        };
        let finally = if self.eat(&Tok::Finally) {
            Some(self.block()?)
        } else {
            None
        };
        if catch.is_none() && finally.is_none() {
            return self.unexpected("`catch` or `finally` after a `try` block");
        }
        Ok(StmtKind::Try {
            body,
            catch,
            finally,
        })
    }

    /// `function name(params) { … }`, the `async` already read.
    fn function_declaration(&mut self, is_async: bool, start: usize) -> PResult<Rc<Function>> {
        self.expect(Tok::Function, "`function`")?;
        let name = self.ident("the function's name")?;
        let params = self.params()?;
        let body = Body::Block(self.block()?);
        Ok(Rc::new(Function {
            name: Some(name),
            params,
            is_async,
            body,
            span: start..self.last_end(),
        }))
    }

    /// `(a, b, c)`.
    fn params(&mut self) -> PResult<Vec<String>> {
        self.expect(Tok::LParen, "`(` before the parameters")?;
        let mut params = Vec::new();
        while !self.eat(&Tok::RParen) {
            params.push(self.ident("a parameter name")?);
            if !self.eat(&Tok::Comma) && self.peek() != Some(&Tok::RParen) {
                return self.unexpected("`,` or `)`");
            }
        }
        Ok(params)
    }

    // ----- expressions -----

    /// A whole expression, assignments included.
    pub fn expression(&mut self) -> PResult<Expr> {
        self.enter()?;
        let e = self.assignment();
        self.leave();
        e
    }

    fn assignment(&mut self) -> PResult<Expr> {
        let start = self.here().start;
        let target = self.conditional()?;
        let compound = match self.peek() {
            Some(Tok::Assign) => None,
            Some(Tok::PlusAssign) => Some(BinaryOp::Add),
            Some(Tok::MinusAssign) => Some(BinaryOp::Sub),
            Some(Tok::StarAssign) => Some(BinaryOp::Mul),
            Some(Tok::SlashAssign) => Some(BinaryOp::Div),
            _ => return Ok(target),
        };
        let ExprKind::Ident(name) = target.kind else {
            return self.error("only a name can be assigned to");
        };
        self.pos += 1;
        let mut value = self.expression()?;
        if let Some(op) = compound {
            let current = Expr {
                kind: ExprKind::Ident(name.clone()),
                span: target.span.clone(),
            };
            value = Expr {
                span: start..self.last_end(),
                kind: ExprKind::Binary(op, Box::new(current), Box::new(value)),
            };
        }
        Ok(Expr {
            kind: ExprKind::Assign(name, Box::new(value)),
            span: start..self.last_end(),
        })
    }

    fn conditional(&mut self) -> PResult<Expr> {
        let start = self.here().start;
        let cond = self.binary(0)?;
        if !self.eat(&Tok::Question) {
            return Ok(cond);
        }
        let yes = self.expression()?;
        self.expect(Tok::Colon, "`:`")?;
        let no = self.expression()?;
        Ok(Expr {
            kind: ExprKind::Conditional(Box::new(cond), Box::new(yes), Box::new(no)),
            span: start..self.last_end(),
        })
    }

    /// Binary operators binding at least as tightly as `min` (Pratt).
    fn binary(&mut self, min: u8) -> PResult<Expr> {
        let start = self.here().start;
        let mut left = self.unary()?;
        while let Some((prec, op)) = self.peek().and_then(binary_op) {
            if prec < min {
                break;
            }
            self.pos += 1;
            self.enter()?;
            let right = self.binary(prec + 1);
            self.leave();
            let right = Box::new(right?);
            let kind = match op {
                Op::Binary(op) => ExprKind::Binary(op, Box::new(left), right),
                Op::Logical(op) => ExprKind::Logical(op, Box::new(left), right),
            };
            left = Expr {
                kind,
                span: start..self.last_end(),
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> PResult<Expr> {
        let start = self.here().start;
        let op = match self.peek() {
            Some(Tok::Bang) => Some(UnaryOp::Not),
            Some(Tok::Minus) => Some(UnaryOp::Neg),
            Some(Tok::Plus) => Some(UnaryOp::Plus),
            Some(Tok::Await) => None,
            _ => return self.postfix(),
        };
        self.pos += 1;
        self.enter()?;
        let operand = self.unary();
        self.leave();
        let operand = Box::new(operand?);
        let kind = match op {
            Some(op) => ExprKind::Unary(op, operand),
            None => ExprKind::Await(operand),
        };
        Ok(Expr {
            kind,
            span: start..self.last_end(),
        })
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let start = self.here().start;
        // `new Error("x")` is read as the call `Error("x")`: the language has no classes, and
        // its few constructors are plain functions.
        self.eat(&Tok::New);
        let mut e = self.primary()?;
        loop {
            let kind = match self.peek() {
                Some(Tok::LParen) => {
                    self.pos += 1;
                    let args = self.list(Tok::RParen, "`,` or `)`")?;
                    ExprKind::Call(Box::new(e), args)
                }
                Some(Tok::Dot) => {
                    self.pos += 1;
                    let name = self.property_name()?;
                    ExprKind::Member(Box::new(e), name)
                }
                Some(Tok::LBracket) => {
                    self.pos += 1;
                    let index = self.expression()?;
                    self.expect(Tok::RBracket, "`]`")?;
                    ExprKind::Index(Box::new(e), Box::new(index))
                }
                _ => return Ok(e),
            };
            e = Expr {
                kind,
                span: start..self.last_end(),
            };
        }
    }

    /// A name after `.`: keywords are allowed there (`p.catch`, `x.finally`).
    fn property_name(&mut self) -> PResult<String> {
        match self.peek() {
            Some(Tok::Ident(name)) => {
                let name = name.clone();
                self.pos += 1;
                Ok(name)
            }
            Some(Tok::Catch) => {
                self.pos += 1;
                Ok("catch".into())
            }
            Some(Tok::Finally) => {
                self.pos += 1;
                Ok("finally".into())
            }
            _ => self.unexpected("a property name after `.`"),
        }
    }

    /// `name: value, other, "quoted": value` up to `}` (already past the `{`).
    fn object_fields(&mut self) -> PResult<Vec<(String, Expr)>> {
        let mut fields = Vec::new();
        while !self.eat(&Tok::RBrace) {
            let key_span = self.here();
            let key = match self.peek() {
                Some(Tok::Str(s)) => {
                    let s = s.clone();
                    self.pos += 1;
                    s
                }
                _ => self.property_name()?,
            };
            let value = if self.eat(&Tok::Colon) {
                self.expression()?
            } else {
                // `{ other }` is `{ other: other }`.
                Expr {
                    kind: ExprKind::Ident(key.clone()),
                    span: key_span,
                }
            };
            fields.push((key, value));
            if !self.eat(&Tok::Comma) && self.peek() != Some(&Tok::RBrace) {
                return self.unexpected("`,` or `}`");
            }
        }
        Ok(fields)
    }

    /// Comma-separated expressions up to `close` (already past the opening bracket); a
    /// trailing comma is allowed.
    fn list(&mut self, close: Tok, wanted: &str) -> PResult<Vec<Expr>> {
        let mut items = Vec::new();
        while !self.eat(&close) {
            items.push(self.expression()?);
            if !self.eat(&Tok::Comma) && self.peek() != Some(&close) {
                return self.unexpected(wanted);
            }
        }
        Ok(items)
    }

    fn primary(&mut self) -> PResult<Expr> {
        let start = self.here().start;
        let Some(tok) = self.peek().cloned() else {
            return self.unexpected("an expression");
        };
        if self.arrow_ahead() {
            return self.arrow(start);
        }
        let kind = match tok {
            Tok::Num(n) => ExprKind::Num(n),
            Tok::Str(s) => ExprKind::Str(s),
            Tok::True => ExprKind::Bool(true),
            Tok::False => ExprKind::Bool(false),
            Tok::Null => ExprKind::Null,
            Tok::Ident(name) => ExprKind::Ident(name),
            Tok::LParen => {
                self.pos += 1;
                let e = self.expression()?;
                self.expect(Tok::RParen, "`)`")?;
                return Ok(Expr {
                    span: start..self.last_end(),
                    ..e
                });
            }
            Tok::LBrace => {
                self.pos += 1;
                let fields = self.object_fields()?;
                return Ok(Expr {
                    kind: ExprKind::Object(fields),
                    span: start..self.last_end(),
                });
            }
            Tok::LBracket => {
                self.pos += 1;
                let items = self.list(Tok::RBracket, "`,` or `]`")?;
                return Ok(Expr {
                    kind: ExprKind::Array(items),
                    span: start..self.last_end(),
                });
            }
            Tok::Function => {
                return self.function_expression(false, start);
            }
            Tok::Async if self.peek_at(1) == Some(&Tok::Function) => {
                self.pos += 1;
                return self.function_expression(true, start);
            }
            _ => return self.unexpected("an expression"),
        };
        self.pos += 1;
        Ok(Expr {
            kind,
            span: start..self.last_end(),
        })
    }

    /// `function (a) { … }` or `function name(a) { … }` as a value.
    fn function_expression(&mut self, is_async: bool, start: usize) -> PResult<Expr> {
        self.expect(Tok::Function, "`function`")?;
        let name = match self.peek() {
            Some(Tok::Ident(_)) => Some(self.ident("a name")?),
            _ => None,
        };
        let params = self.params()?;
        let body = Body::Block(self.block()?);
        let span = start..self.last_end();
        Ok(Expr {
            kind: ExprKind::Function(Rc::new(Function {
                name,
                params,
                is_async,
                body,
                span: span.clone(),
            })),
            span,
        })
    }

    /// True when an arrow function starts here: `x =>`, `(…) =>`, `async x =>`, `async (…) =>`.
    fn arrow_ahead(&self) -> bool {
        let mut i = self.pos;
        if self.tokens.get(i).map(|t| &t.tok) == Some(&Tok::Async) {
            i += 1;
        }
        match self.tokens.get(i).map(|t| &t.tok) {
            Some(Tok::Ident(_)) => self.tokens.get(i + 1).map(|t| &t.tok) == Some(&Tok::Arrow),
            Some(Tok::LParen) => {
                // Parameters are names and commas only, so the `)` is the next that is not.
                let mut j = i + 1;
                while let Some(Tok::Ident(_) | Tok::Comma) = self.tokens.get(j).map(|t| &t.tok) {
                    j += 1;
                }
                self.tokens.get(j).map(|t| &t.tok) == Some(&Tok::RParen)
                    && self.tokens.get(j + 1).map(|t| &t.tok) == Some(&Tok::Arrow)
            }
            _ => false,
        }
    }

    fn arrow(&mut self, start: usize) -> PResult<Expr> {
        let is_async = self.eat(&Tok::Async);
        let params = if self.peek() == Some(&Tok::LParen) {
            self.params()?
        } else {
            vec![self.ident("a parameter name")?]
        };
        self.expect(Tok::Arrow, "`=>`")?;
        let body = if self.peek() == Some(&Tok::LBrace) {
            Body::Block(self.block()?)
        } else {
            Body::Expr(self.expression()?)
        };
        let span = start..self.last_end();
        Ok(Expr {
            kind: ExprKind::Function(Rc::new(Function {
                name: None,
                params,
                is_async,
                body,
                span: span.clone(),
            })),
            span,
        })
    }
}

enum Op {
    Binary(BinaryOp),
    Logical(LogicalOp),
}

/// The precedence (higher binds tighter) and operator of a binary operator token.
fn binary_op(tok: &Tok) -> Option<(u8, Op)> {
    use BinaryOp::*;
    Some(match tok {
        Tok::OrOr => (1, Op::Logical(LogicalOp::Or)),
        Tok::AndAnd => (2, Op::Logical(LogicalOp::And)),
        Tok::EqEq | Tok::EqEqEq => (3, Op::Binary(Eq)),
        Tok::NotEq | Tok::NotEqEq => (3, Op::Binary(NotEq)),
        Tok::Lt => (4, Op::Binary(Lt)),
        Tok::Le => (4, Op::Binary(Le)),
        Tok::Gt => (4, Op::Binary(Gt)),
        Tok::Ge => (4, Op::Binary(Ge)),
        Tok::Plus => (5, Op::Binary(Add)),
        Tok::Minus => (5, Op::Binary(Sub)),
        Tok::Star => (6, Op::Binary(Mul)),
        Tok::Slash => (6, Op::Binary(Div)),
        Tok::Percent => (6, Op::Binary(Rem)),
        _ => return None,
    })
}
