package io.tickwire.bench.gateway;

/**
 * The gateway's memory at one moment, in bytes (NaN or -1 where unknown).
 *
 * @param connections the bench's connections open at that moment
 * @param gatewayConnections {@code tickwire_connections} from the gateway's metrics
 * @param heapUsed the heap in use ({@code jvm_memory_used_bytes{area="heap"}}): after a full GC when
 *     {@code fullGc}, else live data and garbage together
 * @param nettyDirect direct memory held by Netty's allocator ({@code netty_allocator_memory_used{memory_type="direct"}})
 * @param nettyHeap heap memory held by Netty's allocator
 * @param jvmDirectBuffers the JVM's direct buffer pool ({@code jvm_buffer_memory_used_bytes{id="direct"}})
 * @param rss resident set size ({@code VmRSS} of {@code /proc/<pid>/status}), -1 without a pid
 * @param gatewayOpenFiles {@code process_files_open_files}
 * @param fullGc whether {@code jcmd <pid> GC.run} ran just before the reading
 */
public record MemorySample(long connections, double gatewayConnections, double heapUsed, double nettyDirect,
        double nettyHeap, double jvmDirectBuffers, long rss, double gatewayOpenFiles, boolean fullGc) {}
