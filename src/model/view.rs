//! The operations of a service as the engine sees them: either its named
//! `operations`, or one operation `"default"` built from the service-level
//! `service_time` and `calls`.

use super::types::{CallSpec, Distribution, Service};

/// The name of the operation a service has when it lists none.
pub const DEFAULT_OPERATION: &str = "default";

/// One operation of a service with the service-level fallbacks applied.
#[derive(Debug, Clone, Copy)]
pub struct OperationView<'a> {
    /// Position in [`Service::operation_views`].
    pub index: usize,
    pub name: &'a str,
    /// The operation's own `service_time`, else the service's. Always
    /// present on a validated topology.
    pub service_time: Option<&'a Distribution>,
    pub calls: &'a [CallSpec],
    /// Whether this is the implicit `"default"` operation (no `operations` list).
    pub implicit: bool,
}

impl Service {
    /// The operations of this service, in file order.
    pub fn operation_views(&self) -> Vec<OperationView<'_>> {
        if self.operations.is_empty() {
            return vec![OperationView {
                index: 0,
                name: DEFAULT_OPERATION,
                service_time: self.service_time.as_ref(),
                calls: &self.calls,
                implicit: true,
            }];
        }
        self.operations
            .iter()
            .enumerate()
            .map(|(index, op)| OperationView {
                index,
                name: &op.name,
                service_time: op.service_time.as_ref().or(self.service_time.as_ref()),
                calls: &op.calls,
                implicit: false,
            })
            .collect()
    }

    /// The operation called `name`, if the service has it.
    pub fn operation_view(&self, name: &str) -> Option<OperationView<'_>> {
        self.operation_views()
            .into_iter()
            .find(|op| op.name == name)
    }
}
