//! Variables: a chain of scopes, one per block and per call, looked up by name.

use std::cell::RefCell;
use std::rc::Rc;

use super::value::{drop_deep, Value};

/// One scope: its variables and the scope around it.
#[derive(Debug, Default)]
pub struct Scope {
    vars: RefCell<Vec<Var>>,
    parent: Option<Rc<Scope>>,
}

#[derive(Debug)]
struct Var {
    name: Rc<str>,
    value: Value,
    mutable: bool,
}

/// Why a variable could not be declared or assigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeError {
    /// The name is not declared anywhere.
    Unknown,
    /// The variable is a `const`.
    Const,
    /// The name is already declared in this scope.
    Redeclared,
}

impl Scope {
    /// A scope inside `parent`.
    pub fn child(parent: &Rc<Scope>) -> Rc<Scope> {
        Rc::new(Scope {
            vars: RefCell::new(Vec::new()),
            parent: Some(parent.clone()),
        })
    }

    /// The scope this one is inside, if any.
    pub fn parent(&self) -> Option<&Rc<Scope>> {
        self.parent.as_ref()
    }

    /// Declares `name` here.
    pub fn declare(&self, name: &Rc<str>, value: Value, mutable: bool) -> Result<(), ScopeError> {
        let mut vars = self.vars.borrow_mut();
        if vars.iter().any(|v| v.name == *name) {
            return Err(ScopeError::Redeclared);
        }
        vars.push(Var {
            name: name.clone(),
            value,
            mutable,
        });
        Ok(())
    }

    /// The value of `name`, looked up from here outwards.
    pub fn get(&self, name: &str) -> Option<Value> {
        let mut scope = self;
        loop {
            if let Some(v) = scope.vars.borrow().iter().find(|v| &*v.name == name) {
                return Some(v.value.clone());
            }
            scope = scope.parent.as_deref()?;
        }
    }

    /// Assigns `value` to the nearest `name`.
    pub fn set(&self, name: &str, value: Value) -> Result<(), ScopeError> {
        let mut scope = self;
        loop {
            if let Some(v) = scope
                .vars
                .borrow_mut()
                .iter_mut()
                .find(|v| &*v.name == name)
            {
                if !v.mutable {
                    return Err(ScopeError::Const);
                }
                drop_deep(std::mem::replace(&mut v.value, value));
                return Ok(());
            }
            scope = scope.parent.as_deref().ok_or(ScopeError::Unknown)?;
        }
    }
}

impl Scope {
    /// Empties this scope and every scope around it. A closure stored in the scope it closes
    /// over is a reference cycle; the machine breaks them all this way when it is dropped.
    pub fn clear_chain(&self) {
        let mut scope = Some(self);
        while let Some(s) = scope {
            let vars = std::mem::take(&mut *s.vars.borrow_mut());
            for var in vars {
                drop_deep(var.value);
            }
            scope = s.parent.as_deref();
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        for var in self.vars.get_mut().drain(..) {
            drop_deep(var.value);
        }
    }
}
