package io.github.sdlora4j;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The GPUs as the NVIDIA driver ({@code libcuda.so.1}) reports them, read through JNA without starting ND4J: on a GPU
 * that ND4J's CUDA kernels do not support, the backend's own start-up can already fail in native code.
 */
final class CudaDriver {

    /** One GPU: its driver ordinal, name and compute capability. */
    record Device(int index, String name, int major, int minor) {
        @Override
        public String toString() {
            return "GPU " + index + " (" + name + ", compute capability " + major + "." + minor + ")";
        }
    }

    /** The few driver-API entry points needed; each returns a CUresult (0 = success). */
    interface Api extends Library {
        int cuInit(int flags);

        int cuDeviceGetCount(IntByReference count);

        int cuDeviceGet(IntByReference device, int ordinal);

        int cuDeviceGetName(byte[] name, int length, int device);

        int cuDeviceGetAttribute(IntByReference value, int attribute, int device);
    }

    private static final int COMPUTE_CAPABILITY_MAJOR = 75;
    private static final int COMPUTE_CAPABILITY_MINOR = 76;

    private CudaDriver() {
    }

    /** The driver's GPUs; fails with a message naming what is missing when there is no driver or no GPU. */
    static List<Device> devices() {
        Api api = load();
        check(api.cuInit(0), "cuInit");
        IntByReference count = new IntByReference();
        check(api.cuDeviceGetCount(count), "cuDeviceGetCount");
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < count.getValue(); i++) {
            IntByReference handle = new IntByReference();
            check(api.cuDeviceGet(handle, i), "cuDeviceGet");
            int dev = handle.getValue();
            byte[] name = new byte[256];
            check(api.cuDeviceGetName(name, name.length, dev), "cuDeviceGetName");
            IntByReference major = new IntByReference();
            IntByReference minor = new IntByReference();
            check(api.cuDeviceGetAttribute(major, COMPUTE_CAPABILITY_MAJOR, dev), "cuDeviceGetAttribute");
            check(api.cuDeviceGetAttribute(minor, COMPUTE_CAPABILITY_MINOR, dev), "cuDeviceGetAttribute");
            devices.add(new Device(i, cString(name), major.getValue(), minor.getValue()));
        }
        return devices;
    }

    private static Api load() {
        UnsatisfiedLinkError first = null;
        // libcuda.so (no version) exists only where the CUDA toolkit is installed; the driver always has .so.1.
        for (String name : new String[] {"libcuda.so.1", "cuda"}) {
            try {
                return Native.loadLibrary(name, Api.class);
            } catch (UnsatisfiedLinkError e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        // JNA's message goes on to list the whole classpath; its first clause says what failed.
        String why = String.valueOf(first.getMessage()).split(":", 2)[0];
        throw new IllegalStateException("The CUDA backend (-Pcuda) is on the classpath, but the NVIDIA driver library "
                + "libcuda.so.1 could not be loaded (" + why + "). Install the NVIDIA driver, or build without -Pcuda "
                + "to use the CPU backend.", first);
    }

    private static void check(int result, String call) {
        if (result != 0) {
            // 100 = CUDA_ERROR_NO_DEVICE, 35 = CUDA_ERROR_INSUFFICIENT_DRIVER, 999 = CUDA_ERROR_UNKNOWN.
            throw new IllegalStateException("The NVIDIA driver refused " + call + " with CUresult " + result
                    + (result == 100 ? " (no CUDA-capable GPU is visible)" : "") + "; the CUDA backend (-Pcuda) "
                    + "cannot run here. Build without -Pcuda to use the CPU backend.");
        }
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }
}
