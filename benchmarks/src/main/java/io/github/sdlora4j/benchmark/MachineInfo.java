package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.Backend;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/** What the numbers were measured on: CPU, cores, ND4J backend variant and threads, Java. */
final class MachineInfo {

    private MachineInfo() {
    }

    /** A flat description for the report; values are strings or numbers. */
    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("physical_cores", physicalCores());
        m.put("cpu_model", cpuInfo("model name").trim());
        String flags = cpuInfo("flags");
        m.put("cpu_avx2", flags.contains(" avx2"));
        m.put("cpu_avx512f", flags.contains(" avx512f"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("memory_total_mib", memTotalMiB());
        m.put("java_version", System.getProperty("java.version"));
        m.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        m.put("java_max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("nd4j_backend", Nd4j.getBackend().getClass().getSimpleName());
        m.put("nd4j_backend_variant", backendVariant());
        m.put("nd4j_max_threads", Nd4j.getEnvironment().maxThreads());
        m.put("nd4j_max_master_threads", Nd4j.getEnvironment().maxMasterThreads());
        m.put("env_OMP_NUM_THREADS", envOrUnset("OMP_NUM_THREADS"));
        m.put("env_OPENBLAS_NUM_THREADS", envOrUnset("OPENBLAS_NUM_THREADS"));
        Map<String, String> info = new TreeMap<>();
        Nd4j.getExecutioner().getEnvironmentInformation().forEach((k, v) -> info.put(k.toString(), String.valueOf(v)));
        m.put("nd4j_environment", info);
        return m;
    }

    /**
     * The nd4j-native build in use: the JavaCPP platform plus its extension ({@code -onednn}, the default build, or
     * {@code -avx2}, {@code -avx512}...), or {@code generic} when the plain build runs; for CUDA, the GPUs.
     */
    static String backendVariant() {
        if (Backend.isCuda()) {
            return "nd4j-cuda-11.6 " + Backend.describe();
        }
        String platform = System.getProperty("org.bytedeco.javacpp.platform", "linux-x86_64");
        String extension = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
        if (extension.isEmpty() && Backend.hasOneDnn()) {
            // JavaCPP finds the -onednn natives without the property when they are the only ones on the classpath.
            extension = "-onednn";
        }
        return "nd4j-native " + platform + (extension.isEmpty() ? " (generic)" : extension);
    }

    /** Threads ND4J's native maths will use: OMP_NUM_THREADS when set, otherwise ND4J's own default. */
    static int nd4jThreads() {
        String omp = System.getenv("OMP_NUM_THREADS");
        if (omp != null) {
            try {
                return Math.max(1, Integer.parseInt(omp.trim()));
            } catch (NumberFormatException e) {
                // fall through to ND4J's view
            }
        }
        return Math.max(1, Nd4j.getEnvironment().maxMasterThreads());
    }

    /**
     * Physical cores this process may use: distinct (physical id, core id) pairs of {@code /proc/cpuinfo}, at most the
     * JVM's available processors (which follow CPU affinity and container limits); the available processors when
     * the file says nothing.
     */
    static int physicalCores() {
        int available = Runtime.getRuntime().availableProcessors();
        try {
            return Math.min(available, physicalCores(Files.readAllLines(Path.of("/proc/cpuinfo"))).orElse(available));
        } catch (IOException e) {
            return available;
        }
    }

    /** Distinct (physical id, core id) pairs in the lines of {@code /proc/cpuinfo}; empty when there are none. */
    static OptionalInt physicalCores(List<String> cpuinfo) {
        Set<String> cores = new HashSet<>();
        String socket = "0";
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equals("physical id")) {
                socket = value;
            } else if (key.equals("core id")) {
                cores.add(socket + "/" + value);
            }
        }
        return cores.isEmpty() ? OptionalInt.empty() : OptionalInt.of(cores.size());
    }

    private static String envOrUnset(String name) {
        String v = System.getenv(name);
        return v == null ? "unset" : v;
    }

    private static String cpuInfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.toLowerCase(Locale.ROOT).startsWith(key)) {
                    int colon = line.indexOf(':');
                    return colon < 0 ? "" : " " + line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }

    private static long memTotalMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
