/** The ResNet18 classification function. */
package io.elasticinference.function;
