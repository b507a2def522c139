package io.github.sdlora4j;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Which ND4J backend runs, and a clear refusal where it cannot work. DL4J 1.0.0-M2.1's newest CUDA backend
 * (nd4j-cuda-11.6) ships kernels for sm_37 … sm_86 only, without PTX, so on a Hopper (sm_90) or newer GPU its
 * first kernel launch fails deep in native code; this check turns that into an error message up front.
 */
public final class Backend {

    /** Highest compute capability major version the 1.0.0-M2.1 CUDA kernels were built for. */
    static final int NEWEST_SUPPORTED_MAJOR = 8;

    private Backend() {
    }

    /** Whether a GPU of compute capability {@code major.minor} can run nd4j-cuda-11.6 1.0.0-M2.1's kernels. */
    public static boolean cudaCapabilitySupported(int major, int minor) {
        // cubins run on the same major version with an equal or higher minor: sm_86 covers 8.6-8.9.
        return (major == 3 && minor >= 7) || (major >= 5 && major <= NEWEST_SUPPORTED_MAJOR);
    }

    /** True when the CUDA backend is the active one. */
    public static boolean isCuda() {
        return Nd4j.getBackend().getClass().getName().toLowerCase(java.util.Locale.ROOT).contains("cuda");
    }

    /** One line naming the backend, the devices and the thread setting, for logs and run manifests. */
    public static String describe() {
        StringBuilder sb = new StringBuilder(Nd4j.getBackend().getClass().getSimpleName());
        if (isCuda()) {
            NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
            for (int d = 0; d < ops.getAvailableDevices(); d++) {
                sb.append("; GPU ").append(d).append(' ').append(ops.getDeviceName(d)).append(" sm_")
                        .append(ops.getDeviceMajor(d)).append(ops.getDeviceMinor(d));
            }
        } else {
            sb.append("; CPU, ").append(Runtime.getRuntime().availableProcessors()).append(" cores");
        }
        String omp = System.getenv("OMP_NUM_THREADS");
        return sb.append("; OMP_NUM_THREADS=").append(omp == null ? "unset" : omp).toString();
    }

    /**
     * Fails with a clear message when the backend cannot run on this machine (a CUDA device newer than the
     * backend's kernels, or no backend at all); returns {@link #describe()} otherwise.
     */
    public static String checkSupported() {
        try {
            if (isCuda()) {
                NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
                for (int d = 0; d < ops.getAvailableDevices(); d++) {
                    int major = ops.getDeviceMajor(d);
                    int minor = ops.getDeviceMinor(d);
                    if (!cudaCapabilitySupported(major, minor)) {
                        throw new IllegalStateException("GPU " + d + " (" + ops.getDeviceName(d) + ") has compute capability "
                                + major + "." + minor + ", but the CUDA backend of DL4J 1.0.0-M2.1 (nd4j-cuda-11.6) has "
                                + "kernels only up to sm_86 and no PTX, so it cannot run here. Build without -Pcuda to use "
                                + "the CPU backend, or use an Ampere/Ada (sm_80-sm_89) or older GPU.");
                    }
                }
            }
            return describe();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new IllegalStateException("The ND4J backend could not load its native library (" + e + "). The CPU "
                    + "build needs linux-x86_64; the -Pcuda build needs a CUDA 11.6 runtime and an NVIDIA driver.", e);
        }
    }
}
