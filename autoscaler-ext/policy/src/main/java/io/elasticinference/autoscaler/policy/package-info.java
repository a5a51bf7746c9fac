/** Scaling policies: pure Java, no framework. */
package io.elasticinference.autoscaler.policy;
