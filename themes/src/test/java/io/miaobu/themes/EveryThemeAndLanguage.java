package io.miaobu.themes;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Runs a page test for every theme in both languages: (String theme, String lang). */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0} theme, {1}")
@CsvSource({"base, en", "base, zh-CN", "midnight, en", "midnight, zh-CN"})
@interface EveryThemeAndLanguage {
}
