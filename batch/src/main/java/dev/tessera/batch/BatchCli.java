package dev.tessera.batch; public final class BatchCli { public static void main(String[] a){} }
