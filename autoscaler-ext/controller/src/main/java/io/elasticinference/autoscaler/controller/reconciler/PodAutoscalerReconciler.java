package io.elasticinference.autoscaler.controller.reconciler;

import io.elasticinference.autoscaler.controller.config.ControllerConfig;
import io.elasticinference.autoscaler.controller.metrics.MetricsSource;
import io.elasticinference.autoscaler.controller.metrics.PodScraper;
import io.elasticinference.autoscaler.controller.metrics.PrometheusApiSource;
import io.elasticinference.autoscaler.controller.status.PodAutoscalerConditions;
import io.elasticinference.autoscaler.policy.latency.LatencyDecision;
import io.fabric8.knative.internal.autoscaling.v1alpha1.PodAutoscaler;
import io.fabric8.knative.internal.autoscaling.v1alpha1.PodAutoscalerStatus;
import io.fabric8.knative.internal.networking.v1alpha1.ServerlessService;
import io.fabric8.knative.internal.networking.v1alpha1.ServerlessServiceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Takes over scaling for Knative revisions whose PodAutoscaler has our class: keeps the PA's ServerlessService and
 * status the way Knative's revision reconciler expects, and every tick scrapes the revision's ready pods, asks
 * {@code LatencyTargetPolicy} for a replica count and sets it on the Deployment's scale subresource.
 */
@ControllerConfiguration(name = "latency-podautoscaler")
public class PodAutoscalerReconciler implements Reconciler<PodAutoscaler> {

    private static final Logger LOG = Logger.getLogger(PodAutoscalerReconciler.class);
    static final String CLASS_ANNOTATION = "autoscaling.knative.dev/class";
    static final String REVISION_LABEL = "serving.knative.dev/revision";
    static final String RECONCILE_TIMER = "latency_autoscaler_reconcile";

    @Inject
    ControllerConfig config;
    @Inject
    KubernetesClient client;
    @Inject
    MeterRegistry registry;

    private MetricsSource metrics;
    private final Map<String, RevisionScaling> revisions = new ConcurrentHashMap<>();
    private final Map<String, double[]> gauges = new ConcurrentHashMap<>();

    @PostConstruct
    void chooseMetricsSource() {
        metrics = switch (config.metricsSource()) {
            case PODS -> new PodScraper(config.metricsPort(), config.metricsPath(), config.scrapeTimeout(),
                    config.maxConcurrentScrapes());
            case PROMETHEUS -> new PrometheusApiSource(config.prometheus().url().orElseThrow(() ->
                    new IllegalStateException("latency-autoscaler.metrics-source=prometheus needs "
                            + "latency-autoscaler.prometheus.url")), config.prometheus().podLabel(),
                    config.prometheus().namespaceLabel(), config.scrapeTimeout(), config.prometheus().maxAge());
        };
        LOG.infof("Metrics from %s", config.metricsSource() == ControllerConfig.MetricsSourceKind.PODS
                ? "each pod's :" + config.metricsPort() + config.metricsPath()
                : "Prometheus at " + config.prometheus().url().orElseThrow());
    }

    @Override
    public UpdateControl<PodAutoscaler> reconcile(PodAutoscaler pa, Context<PodAutoscaler> context) {
        Map<String, String> annotations = pa.getMetadata().getAnnotations() == null ? Map.of()
                : pa.getMetadata().getAnnotations();
        if (!config.className().equals(annotations.get(CLASS_ANNOTATION))) {
            return UpdateControl.noUpdate(); // Knative's KPA owns it
        }
        // Timed so operators can see whether all revisions fit in a tick (count rate = reconciles per second).
        long start = System.nanoTime();
        try {
            return reconcileOurs(pa, annotations);
        } finally {
            // register() returns the existing meter after the first call
            Timer.builder(RECONCILE_TIMER)
                    .description("One reconcile of one PodAutoscaler of our class: SKS, scrapes, decision, status")
                    .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private UpdateControl<PodAutoscaler> reconcileOurs(PodAutoscaler pa, Map<String, String> annotations) {
        String ns = pa.getMetadata().getNamespace();
        String name = pa.getMetadata().getName();
        String key = ns + "/" + name;
        double now = System.nanoTime() / 1e9;
        RevisionScaling scaling = revisions.compute(key, (k, old) -> old != null && old.sameAnnotations(annotations)
                ? old : new RevisionScaling(annotations, config.objective(), config.percentile(), now));

        ServerlessService sks = ensureServerlessService(pa);
        String deploymentName = pa.getSpec().getScaleTargetRef().getName();
        Deployment deployment = client.apps().deployments().inNamespace(ns).withName(deploymentName).get();
        int replicas = deployment == null || deployment.getSpec().getReplicas() == null ? 0
                : deployment.getSpec().getReplicas();
        int ready = deployment == null || deployment.getStatus() == null
                || deployment.getStatus().getReadyReplicas() == null ? 0 : deployment.getStatus().getReadyReplicas();

        List<MetricsSource.Pod> targets = new ArrayList<>();
        for (Pod pod : client.pods().inNamespace(ns).withLabel(REVISION_LABEL, name).list().getItems()) {
            if (isReady(pod) && pod.getStatus().getPodIP() != null) {
                targets.add(new MetricsSource.Pod(pod.getMetadata().getName(), pod.getStatus().getPodIP()));
            }
        }
        MetricsSource.Collected samples = metrics.collect(ns, targets, scaling.objectiveS());
        LatencyDecision decision = scaling.decide(now, samples, targets.size(), Math.max(0, replicas - ready),
                Math.max(replicas, 1));
        if (deployment != null && decision.desired() != replicas && !"hold-no-data".equals(decision.reason())
                && !"hold-no-history".equals(decision.reason())) {
            scale(ns, deploymentName, decision.desired(), replicas, decision.reason(), pa);
            replicas = decision.desired();
        }
        exportDecision(key, decision, ready, scaling.observedLatencyS());

        boolean initialized = ready >= Math.min(scaling.initialScale(), Math.max(replicas, 1));
        PodAutoscalerStatus status = pa.getStatus() == null ? new PodAutoscalerStatus() : pa.getStatus();
        String serviceName = sks != null && sks.getStatus() != null && sks.getStatus().getServiceName() != null
                ? sks.getStatus().getServiceName() : name;
        status.setServiceName(serviceName);
        status.setMetricsServiceName(sks != null && sks.getStatus() != null
                && sks.getStatus().getPrivateServiceName() != null ? sks.getStatus().getPrivateServiceName()
                : name + "-private");
        status.setDesiredScale(replicas);
        status.setActualScale(ready);
        status.setObservedGeneration(pa.getMetadata().getGeneration());
        boolean sksReady = sks != null && sks.getStatus() != null
                && PodAutoscalerConditions.isTrue(sks.getStatus().getConditions(), "Ready");
        status.setConditions(PodAutoscalerConditions.next(status.getConditions(), ready > 0, initialized,
                sksReady, Instant.now()));
        pa.setStatus(status);
        return UpdateControl.patchStatus(pa).rescheduleAfter(config.tick());
    }

    private ServerlessService ensureServerlessService(PodAutoscaler pa) {
        String ns = pa.getMetadata().getNamespace();
        String name = pa.getMetadata().getName();
        ServerlessService want = new ServerlessServiceBuilder()
                .withNewMetadata().withName(name).withNamespace(ns)
                .withLabels(pa.getMetadata().getLabels())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(pa.getApiVersion())
                        .withKind(pa.getKind()).withName(name).withUid(pa.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withNewSpec().withMode("Serve").withObjectRef(pa.getSpec().getScaleTargetRef())
                .withProtocolType(pa.getSpec().getProtocolType()).endSpec()
                .build();
        var resource = client.resources(ServerlessService.class).inNamespace(ns).withName(name);
        ServerlessService existing = resource.get();
        try {
            if (existing == null) {
                return client.resources(ServerlessService.class).inNamespace(ns).resource(want).create();
            }
            if (!Objects.equals(existing.getSpec(), want.getSpec())) {
                existing.setSpec(want.getSpec());
                return client.resources(ServerlessService.class).inNamespace(ns).resource(existing).update();
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("ServerlessService %s/%s: %s (retried next tick)", ns, name, e.getMessage());
        }
        return existing;
    }

    private void scale(String ns, String deployment, int desired, int from, String reason, PodAutoscaler pa) {
        try {
            client.apps().deployments().inNamespace(ns).withName(deployment).scale(desired);
            LOG.infof("%s/%s: %d -> %d replicas (%s)", ns, deployment, from, desired, reason);
            client.v1().events().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.EventBuilder()
                    .withNewMetadata().withGenerateName(pa.getMetadata().getName() + "-").endMetadata()
                    .withNewInvolvedObject().withApiVersion(pa.getApiVersion()).withKind(pa.getKind())
                    .withName(pa.getMetadata().getName()).withNamespace(ns).withUid(pa.getMetadata().getUid())
                    .endInvolvedObject()
                    .withReason("Scaled").withType("Normal")
                    .withMessage("Scaled " + deployment + " from " + from + " to " + desired + " (" + reason + ")")
                    .withFirstTimestamp(Instant.now().toString()).withLastTimestamp(Instant.now().toString())
                    .withCount(1).build()).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("scaling %s/%s failed: %s (retried next tick)", ns, deployment, e.getMessage());
        }
    }

    private void exportDecision(String key, LatencyDecision d, int ready, double observedLatencyS) {
        double[] g = gauges.computeIfAbsent(key, k -> {
            double[] values = new double[5];
            Tags tags = Tags.of("revision", k);
            Gauge.builder("latency_autoscaler_desired_replicas", values, v -> v[0]).tags(tags).register(registry);
            Gauge.builder("latency_autoscaler_ready_replicas", values, v -> v[1]).tags(tags).register(registry);
            Gauge.builder("latency_autoscaler_arrival_rate", values, v -> v[2]).tags(tags).register(registry);
            Gauge.builder("latency_autoscaler_service_seconds", values, v -> v[3]).tags(tags).register(registry);
            // at the revision's objective percentile; NaN while there is no traffic or no data
            Gauge.builder("latency_autoscaler_observed_latency_seconds", values, v -> v[4]).tags(tags)
                    .register(registry);
            return values;
        });
        g[0] = d.desired();
        g[1] = ready;
        g[2] = Double.isNaN(d.forecastRate()) ? g[2] : d.forecastRate();
        g[3] = d.serviceS();
        g[4] = observedLatencyS;
    }

    private static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
