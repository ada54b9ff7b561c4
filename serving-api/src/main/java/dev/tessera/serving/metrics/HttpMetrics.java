package dev.tessera.serving.metrics;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request latency per route, method and status code, as the Prometheus histogram {@code
 * tessera_http_request_duration_seconds} (its {@code _count} is the request count per status).
 * Routes are a fixed set of names, never raw paths, so the label set stays bounded.
 */
public final class HttpMetrics {
  private static final double[] BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final Histogram latency;
  // One data point per (route, method, status), looked up without building label lists per request.
  private final ConcurrentHashMap<String, DistributionDataPoint> points = new ConcurrentHashMap<>();

  public HttpMetrics(PrometheusRegistry registry) {
    this.latency = Histogram.builder()
        .name("tessera_http_request_duration_seconds")
        .help("HTTP request latency by route, method and status code")
        .labelNames("route", "method", "status")
        .classicOnly()
        .classicUpperBounds(BUCKETS)
        .register(registry);
  }

  public void observe(String route, String method, int status, long elapsedNanos) {
    String key = route + ' ' + method + ' ' + status;
    DistributionDataPoint point = points.get(key);
    if (point == null) {
      point = points.computeIfAbsent(key,
          k -> latency.labelValues(route, method, Integer.toString(status)));
    }
    point.observe(elapsedNanos / 1e9);
  }
}
