/** Example programs and the sdlora command. */
package io.github.sdlora4j.examples;
