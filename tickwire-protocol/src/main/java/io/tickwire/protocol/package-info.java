/** Protocol v1: message types and the JSON codec, shared by the gateway, the client and the load generator. */
package io.tickwire.protocol;
