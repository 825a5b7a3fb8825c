package demo

import (
	"context"
	"math"
	"strconv"
)

// SeedPrimes is the list from the seed's ProcessPoolExecutor example. Every
// number in it is prime except the last.
var SeedPrimes = []string{
	"112272535095293",
	"112582705942171",
	"112272535095293",
	"115280095190773",
	"115797848077099",
	"1099726899285419",
}

func init() {
	register(Task{
		Name:     "primes",
		Args:     "N... (unsigned 64-bit integers; default: the seed's list)",
		Summary:  "trial division like the seed's is_prime; CPU-bound",
		Defaults: SeedPrimes,
		Check:    checkPrime,
		CPUBound: true,
		Run:      primes,
	})
}

func parsePrime(input string) (uint64, error) {
	n, err := strconv.ParseUint(input, 10, 64)
	if err != nil {
		return 0, badInput("primes", input, "want an integer from 0 to 18446744073709551615")
	}
	return n, nil
}

func checkPrime(input string) error {
	_, err := parsePrime(input)
	return err
}

func primes(ctx context.Context, input []byte) ([]byte, error) {
	n, err := parsePrime(string(input))
	if err != nil {
		return nil, err
	}
	prime, err := IsPrime(ctx, n)
	if err != nil {
		return nil, err
	}
	return strconv.AppendBool(append([]byte(string(input)), " is prime: "...), prime), nil
}

// checkEvery is how many trial divisions run between looks at ctx: often
// enough to stop within a millisecond, rarely enough to cost nothing.
const checkEvery = 1 << 18

// IsPrime tests n by trial division by odd numbers up to its square root, as
// the seed's is_prime does, and stops early with ctx's error when ctx is
// done. Unlike the seed it answers 0, 1 and 2 correctly.
func IsPrime(ctx context.Context, n uint64) (bool, error) {
	if n < 2 {
		return false, nil
	}
	if n%2 == 0 {
		return n == 2, nil
	}
	limit := isqrt(n)
	for i, k := uint64(3), 0; i <= limit; i, k = i+2, k+1 {
		if n%i == 0 {
			return false, nil
		}
		if k == checkEvery {
			k = 0
			if err := ctx.Err(); err != nil {
				return false, err
			}
			Yield(ctx)
		}
	}
	return true, nil
}

// isqrt is the integer square root; math.Sqrt alone can be off by one for
// large uint64 because float64 has 53 bits of mantissa.
func isqrt(n uint64) uint64 {
	r := uint64(math.Sqrt(float64(n)))
	for r > 0 && r > n/r {
		r--
	}
	for r+1 <= n/(r+1) {
		r++
	}
	return r
}
