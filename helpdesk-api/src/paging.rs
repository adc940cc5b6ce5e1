//! Streams over paged list endpoints. Each page is fetched only when the
//! previous one has been consumed; a failed page is yielded as `Err` and
//! ends the stream (never swallowed, never a silent stop).

use crate::error::Error;
use crate::runtime::Cursor;
use futures_core::Stream;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

type PageFuture<T, E> = Pin<Box<dyn Future<Output = Result<(T, Option<Cursor>), Error<E>>> + Send>>;
type Fetch<T, E> = Box<dyn FnMut(Option<Cursor>) -> PageFuture<T, E> + Send>;

/// A stream of pages (`Result<Page, Error<E>>`). Created by a list
/// endpoint's `pages(token)`.
pub struct Pages<T, E> {
    fetch: Fetch<T, E>,
    in_flight: Option<PageFuture<T, E>>,
    next: Option<Option<Cursor>>,
}

impl<T, E> Pages<T, E> {
    /// A stream that calls `fetch(cursor)` for each page: `None` first,
    /// then the cursor the previous page returned, until that is `None`.
    pub fn new<F, Fut>(mut fetch: F) -> Self
    where
        F: FnMut(Option<Cursor>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(T, Option<Cursor>), Error<E>>> + Send + 'static,
    {
        Pages {
            fetch: Box::new(move |c| Box::pin(fetch(c))),
            in_flight: None,
            next: Some(None),
        }
    }
}

impl<T, E> Pages<T, E> {
    /// The next page; `None` after the last page or after an error. For a
    /// `while let Some(page) = pages.next().await` loop with no `StreamExt`.
    pub async fn next(&mut self) -> Option<Result<T, Error<E>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every page, or the first error.
    pub async fn try_collect(mut self) -> Result<Vec<T>, Error<E>> {
        let mut out = Vec::new();
        while let Some(page) = self.next().await {
            out.push(page?);
        }
        Ok(out)
    }
}

impl<T, E> Unpin for Pages<T, E> {}

impl<T, E> Stream for Pages<T, E> {
    type Item = Result<T, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.in_flight.is_none() {
            match this.next.take() {
                None => return Poll::Ready(None),
                Some(cursor) => this.in_flight = Some((this.fetch)(cursor)),
            }
        }
        let fut = this.in_flight.as_mut().expect("set above");
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(res) => {
                this.in_flight = None;
                match res {
                    Ok((page, next)) => {
                        this.next = next.map(Some);
                        Poll::Ready(Some(Ok(page)))
                    }
                    Err(e) => {
                        this.next = None;
                        Poll::Ready(Some(Err(e)))
                    }
                }
            }
        }
    }
}

impl<T, E> std::fmt::Debug for Pages<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// A stream of items across pages (`Result<Item, Error<E>>`). Created by a
/// list endpoint's `items(token)`.
pub struct Items<I, T, E> {
    pages: Pages<T, E>,
    split: fn(T) -> Vec<I>,
    buffered: VecDeque<I>,
}

impl<I, T, E> Items<I, T, E> {
    /// Items of `pages`, taken out of each page by `split`.
    pub fn new(pages: Pages<T, E>, split: fn(T) -> Vec<I>) -> Self {
        Items {
            pages,
            split,
            buffered: VecDeque::new(),
        }
    }
}

impl<I, T, E> Items<I, T, E> {
    /// The next item; `None` after the last one or after an error. For a
    /// `while let Some(item) = items.next().await` loop with no `StreamExt`.
    pub async fn next(&mut self) -> Option<Result<I, Error<E>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every item of every page, or the first error (the items before it
    /// are dropped: iterate with [`Items::next`] to keep them).
    pub async fn try_collect(mut self) -> Result<Vec<I>, Error<E>> {
        let mut out = Vec::new();
        while let Some(item) = self.next().await {
            out.push(item?);
        }
        Ok(out)
    }
}

impl<I, T, E> Unpin for Items<I, T, E> {}

impl<I, T, E> Stream for Items<I, T, E> {
    type Item = Result<I, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.buffered.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => this.buffered.extend((this.split)(page)),
            }
        }
    }
}

impl<I, T, E> std::fmt::Debug for Items<I, T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("buffered", &self.buffered.len())
            .finish_non_exhaustive()
    }
}
