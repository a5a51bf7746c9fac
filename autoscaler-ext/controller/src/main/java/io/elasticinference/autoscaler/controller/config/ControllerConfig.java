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

    /** Timeout of one pod scrape. */
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
