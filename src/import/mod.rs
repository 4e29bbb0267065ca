//! Importers: docker-compose, Kubernetes manifests, traces. No UI.
