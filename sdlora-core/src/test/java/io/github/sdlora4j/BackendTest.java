package io.github.sdlora4j;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void theCpuBuildReportsItsBackend() {
        String d = Backend.checkSupported();
        assertFalse(Backend.isCuda());
        assertTrue(d.contains("CPU") && d.contains("OMP_NUM_THREADS=1"), d);
    }
}
