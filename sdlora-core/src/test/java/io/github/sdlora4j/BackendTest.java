package io.github.sdlora4j;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class BackendTest {

    @Test
    void onlyCapabilitiesWithKernelsInTheCuda116BackendAreSupported() {
        assertTrue(Backend.cudaCapabilitySupported(8, 0), "A100");
        assertTrue(Backend.cudaCapabilitySupported(8, 6), "RTX 30");
        assertTrue(Backend.cudaCapabilitySupported(8, 9), "RTX 40 runs the sm_86 cubin");
        assertTrue(Backend.cudaCapabilitySupported(7, 5));
        assertTrue(Backend.cudaCapabilitySupported(3, 7));
        assertFalse(Backend.cudaCapabilitySupported(9, 0), "H100/H200");
        assertFalse(Backend.cudaCapabilitySupported(10, 0), "Blackwell");
        assertFalse(Backend.cudaCapabilitySupported(3, 5));
    }

    @Test
    void theCpuBuildReportsItsBackendAndKeepsTheAnswer() {
        assertFalse(Backend.cudaBackendOnClasspath(), "the test build is the CPU one");
        String d = Backend.checkSupported();
        assertFalse(Backend.isCuda());
        assertTrue(d.contains("CPU") && d.contains("OMP_NUM_THREADS=1"), d);
        assertSame(d, Backend.checkSupported(), "checked once, then kept");
    }

    @Test
    void aHopperGpuIsRefusedWithItsNameAndCapabilityBeforeNd4jStarts() {
        List<CudaDriver.Device> gpus = List.of(new CudaDriver.Device(0, "NVIDIA A100-SXM4-80GB", 8, 0),
                new CudaDriver.Device(1, "NVIDIA H200", 9, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backend.requireSupportedGpus(() -> gpus));
        String m = e.getMessage();
        assertTrue(m.contains("GPU 1 (NVIDIA H200, compute capability 9.0)"), m);
        assertTrue(m.contains("sm_86") && m.contains("-Pcuda"), m);
    }

    @Test
    void supportedGpusPassAndNoGpuAtAllIsRefused() {
        assertDoesNotThrow(() -> Backend.requireSupportedGpus(
                () -> List.of(new CudaDriver.Device(0, "NVIDIA GeForce RTX 4090", 8, 9))));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backend.requireSupportedGpus(List::of));
        assertTrue(e.getMessage().contains("reports no GPU"), e.getMessage());
    }

    @Test
    void withoutAnNvidiaDriverTheDriverQueryFailsWithAMessage() {
        assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "this machine has an NVIDIA driver");
        IllegalStateException e = assertThrows(IllegalStateException.class, CudaDriver::devices);
        // No driver library at all, or a driver library that sees no GPU.
        assertTrue(e.getMessage().contains("libcuda.so.1") || e.getMessage().contains("CUresult"), e.getMessage());
        assertTrue(e.getMessage().contains("without -Pcuda"), e.getMessage());
    }
}
