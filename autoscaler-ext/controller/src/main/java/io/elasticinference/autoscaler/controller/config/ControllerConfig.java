package io.elasticinference.autoscaler.controller.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The controller's settings, under {@code latency-autoscaler.} (environment: LATENCY_AUTOSCALER_...). */
@ConfigMapping(prefix = "latency-autoscaler")
public interface ControllerConfig {

    /** The autoscaling.knative.dev/class value this controller owns; Knative keeps the KPA for all others. */
    @WithDefault("latency.autoscaling.elasticinference.io")
    String className();

    /** How often each revision is scraped and decided on. */
    @WithDefault("2s")
    Duration tick();

    /** Default objective (seconds) when the revision has no annotation. */
    @WithDefault("0.33")
    double objective();

    /** Default percentile (e.g. 99) when the revision has no annotation. */
    @WithDefault("99")
    double percentile();

    /** Where the function's metrics come from: {@code pods} (scrape each ready pod) or {@code prometheus}. */
    @WithDefault("pods")
    MetricsSourceKind metricsSource();

    /** The two metrics sources. */
    enum MetricsSourceKind { PODS, PROMETHEUS }

    /** Pod scrapes in flight at once, over all revisions. */
    @WithDefault("32")
    int maxConcurrentScrapes();

    /** Reading the metrics from a Prometheus server (metrics-source=prometheus). */
    Prometheus prometheus();

    interface Prometheus {
        /** The server, e.g. http://prometheus.monitoring:9090; required with metrics-source=prometheus. */
        java.util.Optional<java.net.URI> url();

        /** The label that holds the pod name (what the scrape config's relabelling writes). */
        @WithDefault("pod")
        String podLabel();

        @WithDefault("namespace")
        String namespaceLabel();

        /**
         * Samples older than this are not used (the pod counts as not scraped, and the scale holds): a few scrape
         * intervals, so one slow scrape does not stop scaling but a dead target does.
         */
        @WithDefault("15s")
        Duration maxAge();
    }

    /** Timeout of one pod scrape (and of one Prometheus query). */
    @WithDefault("500ms")
    Duration scrapeTimeout();

    /** Port and path of the function's metrics on each pod. */
    @WithDefault("8080")
    int metricsPort();

    @WithDefault("/q/metrics")
    String metricsPath();

    /**
     * The Lease that replicas of the controller compete for: only its holder reconciles, so two replicas never
     * scale the same revision. Active in the prod profile (quarkus.operator-sdk.activate-leader-election-for-profiles).
     */
    @WithDefault("latency-autoscaler-leader")
    String leaseName();

    /** Namespace of the Lease; empty = the namespace the controller runs in. */
    java.util.Optional<String> leaseNamespace();
}
