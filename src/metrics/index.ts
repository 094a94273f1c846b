// The metrics room's door: Sokoni's figures in Prometheus' text format, for GET /metrics.
export { createMetrics, type Metrics, type MetricSources } from './metrics';
