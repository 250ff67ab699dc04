package io.miaobu.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {

    @ParameterizedTest
    @CsvSource({
            "bytes=0-0, 0, 0",
            "bytes=0-99, 0, 99",
            "bytes=10-, 10, 99",
            "bytes=-10, 90, 99",
            "bytes=-1000, 0, 99",
            "bytes=50-1000, 50, 99",
            "' BYTES=5-6 ', 5, 6",
            "bytes=99-99999999999999999999999, 99, 99"})
    void readsASingleSatisfiableRange(String header, long first, long last) {
        assertThat(ByteRange.parse(header, 100)).isEqualTo(new ByteRange(first, last));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=100-", "bytes=100-200", "bytes=-0", "bytes=99999999999999999999999-"})
    void flagsRangesOutsideTheFile(String header) {
        assertThat(ByteRange.parse(header, 100)).isSameAs(ByteRange.UNSATISFIABLE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=0-1,3-4", "bytes=", "bytes=abc", "bytes=5-2", "bytes=1", "items=0-1", "0-1",
            "bytes=--1", "bytes=1-x"})
    void ignoresWhatItCannotServeAsOneRange(String header) {
        assertThat(ByteRange.parse(header, 100)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=0-", "bytes=-5"})
    void nothingIsSatisfiableInAnEmptyFile(String header) {
        assertThat(ByteRange.parse(header, 0)).isSameAs(ByteRange.UNSATISFIABLE);
    }
}
