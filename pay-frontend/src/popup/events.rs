//! From DOM events to the popup's flow: a few delegated listeners (RAII: dropping a
//! [`Listener`] removes it) push [`UiEvent`]s into a queue that the async flow awaits.

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

/// What the visitor did, as the flow sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiEvent {
    /// A click on an element with `data-action` (`close`, `back`, `card`, `offline`, `done`).
    Action(String),
    /// A form was submitted (button, Enter).
    Submit,
    /// The value of the input with this `name` changed.
    Input(String),
    /// The input with this `name` lost focus.
    Blur(String),
    /// Escape, or the close button.
    Close,
}

#[derive(Default)]
struct Queue {
    events: Vec<UiEvent>,
    waker: Option<Waker>,
}

/// A single-consumer queue of [`UiEvent`]s.
#[derive(Clone, Default)]
pub struct EventQueue(Rc<RefCell<Queue>>);

impl EventQueue {
    pub fn push(&self, event: UiEvent) {
        let mut q = self.0.borrow_mut();
        q.events.push(event);
        if let Some(waker) = q.waker.take() {
            waker.wake();
        }
    }

    /// The next event, waiting for one if none is queued.
    pub async fn next(&self) -> UiEvent {
        poll_fn(|cx| {
            let mut q = self.0.borrow_mut();
            if !q.events.is_empty() {
                Poll::Ready(q.events.remove(0))
            } else {
                {
                    q.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }

    /// Drops what the visitor did while the popup was busy.
    pub fn clear(&self) {
        self.0.borrow_mut().events.clear();
    }
}

/// An event listener that is removed when dropped.
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    pub fn new(target: &EventTarget, kind: &'static str, f: impl FnMut(Event) + 'static) -> Self {
        let callback = Closure::<dyn FnMut(Event)>::new(f);
        // Adding a listener with a function cannot fail.
        let _ = target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref());
        Self {
            target: target.clone(),
            kind,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}
