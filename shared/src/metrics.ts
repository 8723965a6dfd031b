import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A service's metrics registry with the HTTP metrics every service has. */
export interface ServiceMetrics {
  registry: Registry;
  /** Records one answered request; `route` is a template, never a raw path. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
}

/** Creates the registry, process metrics included, for one service. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'nixport_' });

  const requests = new Counter({
    name: 'nixport_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'nixport_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template',
    labelNames: ['route', 'method'],
    buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 30, 120, 600],
    registers: [registry],
  });

  return {
    registry,
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      duration.observe({ route, method }, seconds);
    },
  };
}
