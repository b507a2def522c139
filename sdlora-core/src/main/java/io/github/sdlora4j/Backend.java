package io.github.sdlora4j;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.List;
import java.util.function.Supplier;

/**
 * Which ND4J backend runs, and a clear refusal where it cannot work. DL4J 1.0.0-M2.1's newest CUDA backend
 * (nd4j-cuda-11.6) ships cubins for sm_37 … sm_86 only and no PTX, so a Hopper (sm_90) or newer GPU cannot run a
 * single one of its kernels. {@link #checkSupported()} asks the NVIDIA driver for every GPU's compute capability
 * before ND4J's CUDA backend starts, and turns what would be a failure deep in native code into an error message.
 */
public final class Backend {

    /** Highest compute capability major version the 1.0.0-M2.1 CUDA kernels were built for. */
    static final int NEWEST_SUPPORTED_MAJOR = 8;

    /** The class ND4J loads for its CUDA backend; present on the classpath only in a {@code -Pcuda} build. */
    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";

    private static volatile String checked;

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

    /** Whether ND4J's CUDA backend is on the classpath (ND4J prefers it when it is), found without loading it. */
    static boolean cudaBackendOnClasspath() {
        try {
            Class.forName(CUDA_BACKEND_CLASS, false, Backend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Whether the running libnd4j was built with oneDNN (the default CPU build; see the parent pom). */
    public static boolean hasOneDnn() {
        Nd4j.getBackend(); // NativeOpsHolder fails unless the backend has been loaded first
        return NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().contains("HAVE_ONEDNN");
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
            sb.append("; CPU, ").append(Runtime.getRuntime().availableProcessors()).append(" cores")
                    .append(hasOneDnn() ? ", oneDNN" : "");
        }
        String omp = System.getenv("OMP_NUM_THREADS");
        return sb.append("; OMP_NUM_THREADS=").append(omp == null ? "unset" : omp).toString();
    }

    /**
     * Fails with a clear message when the backend cannot run on this machine (a GPU newer than the CUDA backend's
     * kernels, no NVIDIA driver or GPU for a {@code -Pcuda} build, or a native library that does not load), and
     * returns {@link #describe()} otherwise. Call it before the first ND4J array is made: in a {@code -Pcuda} build
     * the GPUs are checked through the driver before ND4J's CUDA backend starts. The result is kept; later calls are
     * free.
     */
    public static String checkSupported() {
        String done = checked;
        if (done != null) {
            return done;
        }
        synchronized (Backend.class) {
            if (checked == null) {
                if (cudaBackendOnClasspath()) {
                    requireSupportedGpus(CudaDriver::devices);
                }
                checked = describeOrExplain();
            }
            return checked;
        }
    }

    /** Throws, naming the first GPU whose compute capability the CUDA backend has no kernels for. */
    static void requireSupportedGpus(Supplier<List<CudaDriver.Device>> driver) {
        List<CudaDriver.Device> devices = driver.get();
        if (devices.isEmpty()) {
            throw new IllegalStateException("The CUDA backend (-Pcuda) is on the classpath, but the NVIDIA driver "
                    + "reports no GPU. Build without -Pcuda to use the CPU backend.");
        }
        for (CudaDriver.Device d : devices) {
            if (!cudaCapabilitySupported(d.major(), d.minor())) {
                throw new IllegalStateException(d + " cannot run the CUDA backend of DL4J 1.0.0-M2.1 "
                        + "(nd4j-cuda-11.6): its kernels are built for sm_37 to sm_86 only, with no PTX to compile for "
                        + "newer GPUs, and no newer CUDA backend is published. Build without -Pcuda to use the CPU "
                        + "backend, or use a GPU of compute capability 3.7 to 8.9 (up to Ampere/Ada).");
            }
        }
    }

    private static String describeOrExplain() {
        try {
            return describe();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new IllegalStateException("The ND4J backend could not load its native library (" + e + "). The CPU "
                    + "build needs linux-x86_64; the -Pcuda build needs the CUDA 11.x runtime libraries (cuBLAS, "
                    + "cuSOLVER) and an NVIDIA driver.", e);
        }
    }
}
