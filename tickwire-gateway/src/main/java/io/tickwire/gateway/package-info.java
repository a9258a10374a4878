/** The Tickwire gateway. */
package io.tickwire.gateway;
