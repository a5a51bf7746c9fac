package io.elasticinference.autoscaler.controller.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Leader election for more than one controller replica: the Quarkus Operator SDK picks this bean up and, in the
 * profiles it is activated for (prod by default), reconciles only while this replica holds the Lease.
 */
public class LeaderElection {

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(ControllerConfig config) {
        return config.leaseNamespace()
                .map(ns -> new LeaderElectionConfiguration(config.leaseName(), ns))
                .orElseGet(() -> new LeaderElectionConfiguration(config.leaseName()));
    }
}
