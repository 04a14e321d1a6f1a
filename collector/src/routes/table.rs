//! A router that remembers what it serves: every route goes in with the
//! methods it answers, so the OpenAPI document can be checked against the
//! real routes (`tests/openapi.rs`).

use axum::extract::Request;
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::MethodRouter;
use axum::Router;
use std::convert::Infallible;
use tower::Service;

pub struct Table<S> {
    router: Router<S>,
    routes: Vec<(Method, String)>,
}

/// `/shop/{*page}` as OpenAPI writes it: `/shop/{page}`.
fn openapi_path(path: &str) -> String {
    path.replace("{*", "{")
}

impl<S: Clone + Send + Sync + 'static> Table<S> {
    pub fn new() -> Table<S> {
        Table {
            router: Router::new(),
            routes: Vec::new(),
        }
    }

    /// `handler` must answer exactly `methods`.
    pub fn route(mut self, path: &str, methods: &[Method], handler: MethodRouter<S>) -> Self {
        self.routes
            .extend(methods.iter().map(|m| (m.clone(), openapi_path(path))));
        self.router = self.router.route(path, handler);
        self
    }

    /// A service answering GET at `path`.
    pub fn route_service<T>(mut self, path: &str, service: T) -> Self
    where
        T: Service<Request, Error = Infallible> + Clone + Send + Sync + 'static,
        T::Response: IntoResponse,
        T::Future: Send + 'static,
    {
        self.routes.push((Method::GET, openapi_path(path)));
        self.router = self.router.route_service(path, service);
        self
    }

    /// A service answering GET under `path/` (files), documented as `path/{path}`.
    pub fn nest_service<T>(mut self, path: &str, service: T) -> Self
    where
        T: Service<Request, Error = Infallible> + Clone + Send + Sync + 'static,
        T::Response: IntoResponse,
        T::Future: Send + 'static,
    {
        self.routes.push((Method::GET, format!("{path}/{{path}}")));
        self.router = self.router.nest_service(path, service);
        self
    }

    /// Applies layers (or anything else) to the routes so far.
    pub fn with(mut self, f: impl FnOnce(Router<S>) -> Router<S>) -> Self {
        self.router = f(self.router);
        self
    }

    pub fn merge(mut self, other: Table<S>) -> Self {
        self.routes.extend(other.routes);
        self.router = self.router.merge(other.router);
        self
    }

    pub fn into_parts(self) -> (Router<S>, Vec<(Method, String)>) {
        (self.router, self.routes)
    }
}

impl<S: Clone + Send + Sync + 'static> Default for Table<S> {
    fn default() -> Self {
        Table::new()
    }
}
