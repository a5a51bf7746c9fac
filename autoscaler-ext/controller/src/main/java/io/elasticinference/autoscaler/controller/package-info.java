/** The latency autoscaler controller. */
package io.elasticinference.autoscaler.controller;
