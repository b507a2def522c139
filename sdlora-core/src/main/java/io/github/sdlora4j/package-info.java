/** SD-LoRA class-incremental learning on SameDiff. */
package io.github.sdlora4j;
