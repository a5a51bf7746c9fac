package io.elasticinference.autoscaler.controller.status;

import io.fabric8.knative.pkg.apis.Condition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The PodAutoscaler conditions Knative's revision reconciler reads (knative/serving
 * pkg/apis/autoscaling/v1alpha1/pa_lifecycle.go): Active, ScaleTargetInitialized, SKSReady, and Ready = all three.
 * Without ScaleTargetInitialized and a serviceName the revision never becomes Ready. A condition's
 * lastTransitionTime changes only when its status flips, so watchers do not see churn.
 */
public final class PodAutoscalerConditions {

    public static final String ACTIVE = "Active";
    public static final String SCALE_TARGET_INITIALIZED = "ScaleTargetInitialized";
    public static final String SKS_READY = "SKSReady";
    public static final String READY = "Ready";

    private PodAutoscalerConditions() {
    }

    /**
     * @param previous    the PA's current conditions (may be null)
     * @param active      pods are serving
     * @param initialized the scale target reached its initial scale once
     * @param sksReady    the ServerlessService reports Ready
     */
    public static List<Condition> next(List<Condition> previous, boolean active, boolean initialized,
                                       boolean sksReady, Instant now) {
        Map<String, Condition> old = new TreeMap<>();
        if (previous != null) {
            for (Condition c : previous) {
                old.put(c.getType(), c);
            }
        }
        List<Condition> out = new ArrayList<>();
        out.add(condition(old.get(ACTIVE), ACTIVE, active, active ? "" : "NoTraffic", now));
        out.add(condition(old.get(READY), READY, active && initialized && sksReady,
                active && initialized && sksReady ? "" : "NotReady", now));
        out.add(condition(old.get(SCALE_TARGET_INITIALIZED), SCALE_TARGET_INITIALIZED, initialized,
                initialized ? "" : "Initializing", now));
        out.add(condition(old.get(SKS_READY), SKS_READY, sksReady, sksReady ? "" : "NoHealthyBackends", now));
        return out;
    }

    private static Condition condition(Condition old, String type, boolean ok, String reason, Instant now) {
        String status = ok ? "True" : "False";
        String transition = old != null && Objects.equals(old.getStatus(), status) && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime() : now.toString();
        Condition c = new Condition();
        c.setType(type);
        c.setStatus(status);
        c.setLastTransitionTime(transition);
        if (!reason.isEmpty()) {
            c.setReason(reason);
        }
        return c;
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        if (conditions == null) {
            return false;
        }
        for (Condition c : conditions) {
            if (type.equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }
}
