//! From DOM events to the popup's flow: a few delegated listeners (RAII: dropping a
//! [`Listener`] removes it) and timers (dropping an [`Interval`] clears it) push
//! [`UiEvent`]s into a queue that the async flow awaits.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Poll, Waker};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, UnwrapThrowExt};
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
    /// Time to ask for an attempt's result again (the poll timer, or the challenge's return
    /// page said so).
    Tick,
    /// The payment's `expiresAt` has come (its timer in [`super::flow`]).
    Expired,
}

#[derive(Default)]
struct Queue {
    events: Vec<UiEvent>,
    waker: Option<Waker>,
}

/// A step's own future, awaited beside the visitor's events ([`EventQueue::next_or`]).
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A single-consumer queue of [`UiEvent`]s.
#[derive(Clone, Default)]
pub struct EventQueue(Rc<RefCell<Queue>>);

impl EventQueue {
    pub fn push(&self, event: UiEvent) {
        let mut q = self.0.borrow_mut();
        // One Tick waiting is enough: a slow answer does not pile requests up behind it.
        if event == UiEvent::Tick && q.events.last() == Some(&event) {
            return;
        }
        q.events.push(event);
        if let Some(waker) = q.waker.take() {
            waker.wake();
        }
    }

    /// The next event, waiting for one if none is queued. (`poll_fn`'s future itself, not
    /// an `async fn` around it: one state machine less.)
    pub fn next(&self) -> impl Future<Output = UiEvent> + '_ {
        poll_fn(|cx| self.poll_next(cx))
    }

    /// The next event, or first what `other` gives if it is ready before (`Err`, and
    /// `other` is done: `None`). What a step awaits beside the visitor (Stripe.js loading,
    /// its 3-D Secure) without making the visitor wait for it to close the popup.
    pub fn next_or<'b, 'f: 'b, T>(
        &'b self,
        other: &'b mut Option<Pending<'f, T>>,
    ) -> impl Future<Output = Result<UiEvent, T>> + use<'b, 'f, T> {
        poll_fn(move |cx| {
            if let Some(f) = other {
                if let Poll::Ready(v) = f.as_mut().poll(cx) {
                    *other = None;
                    return Poll::Ready(Err(v));
                }
            }
            self.poll_next(cx).map(Ok)
        })
    }

    fn poll_next(&self, cx: &mut std::task::Context<'_>) -> Poll<UiEvent> {
        let mut q = self.0.borrow_mut();
        if !q.events.is_empty() {
            Poll::Ready(q.events.remove(0))
        } else {
            q.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    /// Drops what the visitor did while the popup was busy (an expiry meanwhile stays).
    pub fn clear(&self) {
        self.0.borrow_mut().events.retain(|e| *e == UiEvent::Expired);
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

/// A `setInterval` (or `setTimeout`: [`Interval::once`]) timer that is cleared when dropped.
pub struct Interval {
    handle: i32,
    _callback: Closure<dyn FnMut(Event)>,
}

impl Interval {
    /// The callback has a listener's signature, whose glue the SDK has already (a closure
    /// of another signature brings its own); the timer passes no argument, so the `Event`
    /// is `undefined` and must not be used.
    pub fn new(ms: i32, f: impl FnMut(Event) + 'static) -> Self {
        let callback = Closure::<dyn FnMut(Event)>::new(f);
        let handle = web_sys::window()
            .unwrap_throw()
            .set_interval_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), ms)
            .unwrap_or(0);
        Self {
            handle,
            _callback: callback,
        }
    }

    /// Calls `f` once, after `ms` milliseconds.
    pub fn once(ms: i32, f: impl FnMut(Event) + 'static) -> Self {
        let callback = Closure::<dyn FnMut(Event)>::new(f);
        let handle = web_sys::window()
            .unwrap_throw()
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), ms)
            .unwrap_or(0);
        Self {
            handle,
            _callback: callback,
        }
    }
}

impl Drop for Interval {
    /// `clearInterval` clears a `setTimeout` too: both share one list of timers (HTML's
    /// timer initialisation steps).
    fn drop(&mut self) {
        web_sys::window().unwrap_throw().clear_interval_with_handle(self.handle);
    }
}
