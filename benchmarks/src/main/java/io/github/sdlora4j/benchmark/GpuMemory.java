package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.Backend;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * GPU memory in use, read from the driver after a section. ND4J's CUDA allocator keeps the device memory it has
 * taken, so the figure after a section is close to that section's peak.
 */
final class GpuMemory {

    private GpuMemory() {
    }

    /** Adds {@code <section>_gpu_memory_in_use_mib} for every GPU when the CUDA backend runs; nothing on CPU. */
    static void report(String section, BenchmarkReport report) {
        if (!Backend.isCuda()) {
            return;
        }
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        for (int d = 0; d < ops.getAvailableDevices(); d++) {
            long used = ops.getDeviceTotalMemory(d) - ops.getDeviceFreeMemory(d);
            report.add(section, section + "_gpu" + d + "_memory_in_use_mib", used / (1024.0 * 1024.0), "MiB",
                    ops.getDeviceName(d) + ", after the section (total minus free, as the driver reports it)");
        }
    }
}
